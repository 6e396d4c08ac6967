-- The holdout assignment (macro holdout_fraction, the one int_journey_holdouts uses) over 10,000
-- generated customer ids '0' ... '9999': for every journey and the global holdout ('all'), the
-- share held out at the default holdout_share (0.10) is within 1 point of it, under two salts;
-- and changing the salt moves at least one id in ten to the other group of a journey (two
-- independent draws at 10% disagree on about 18%). Returns the failing checks.
-- A unit test compares rows, not a share, so this asserts the rule on generated ids; the salts
-- are pinned here (not var segments__holdout_salt), so a store's salt cannot change the result, and the
-- result is the same on every engine (hash_fraction is dispatched).
{%- set salts = ['segments-holdout-v1', 'segments-holdout-v2'] %}
{%- set journeys = [
    'abandoned_cart', 'browse_abandonment', 'welcome', 'replenishment', 'cross_sell', 'birthday',
    'anniversary', 'rfm_retention', 'vip', 'winback', 'all',
] %}
{%- set share = 0.10 %}
with

digits as (
    {%- for digit in range(10) %}
    select {{ digit }} as digit{{ ' union all' if not loop.last }}
    {%- endfor %}
),

generated_ids as (
    select
        cast(
            thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + ones.digit
            as {{ dbt.type_string() }}
        ) as customer_id
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as ones
),

journeys as (
    {%- for journey in journeys %}
    select {{ string_literal(journey) }} as journey{{ ' union all' if not loop.last }}
    {%- endfor %}
),

assignments as (
    select
        generated_ids.customer_id,
        journeys.journey,
        {%- for salt in salts %}
        {{ holdout_fraction('generated_ids.customer_id', 'journeys.journey', salt=salt) }}
        < {{ share }} as is_held_out_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from generated_ids
    cross join journeys
),

shares as (
    select
        journey,
        count(*) as ids,
        {%- for salt in salts %}
        sum(case when is_held_out_{{ loop.index }} then 1 else 0 end) / 10000.0 as held_out_share_{{ loop.index }},
        {%- endfor %}
        sum(case when is_held_out_1 <> is_held_out_2 then 1 else 0 end) / 10000.0 as changed_share
    from assignments
    group by journey
)

select *
from shares
where
    ids <> 10000
    {%- for salt in salts %}
    or abs(held_out_share_{{ loop.index }} - {{ share }}) > 0.01
    {%- endfor %}
    or changed_share < 0.1
