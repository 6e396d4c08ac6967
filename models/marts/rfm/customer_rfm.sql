-- One row per customer with at least one valid order at as_of: recency, frequency and
-- monetary scores by rank-based quintile (ties share a score), the RFM segment and the
-- retention group, each the first matching rule of its seed map (docs/definitions.md §4).
with

customer_facts as (
    select * from {{ ref('customer_facts') }}
),

segment_rules as (
    select * from {{ ref('rfm_segment_map') }}
),

group_rules as (
    select * from {{ ref('rfm_group_map') }}
),

purchasers as (
    select
        customer_id,
        days_since_last_order as recency_days,
        valid_orders as frequency,
        lifetime_net_revenue as monetary,
        as_of
    from customer_facts
    where valid_orders >= 1
),

ranked as (
    select
        *,
        count(*) over () as purchaser_count,
        -- rank() ascending by goodness: the longest-ago, least frequent, lowest spender is 1.
        rank() over (order by recency_days desc) as recency_rank,
        rank() over (order by frequency asc) as frequency_rank,
        rank() over (order by monetary asc) as monetary_rank
    from purchasers
),

scores as (
    select
        *,
        {{ rfm_score('recency_rank', 'purchaser_count') }} as r_score,
        {{ rfm_score('frequency_rank', 'purchaser_count') }} as f_score,
        {{ rfm_score('monetary_rank', 'purchaser_count') }} as m_score
    from ranked
),

segment_matches as (
    {{ first_matching_rule('scores', 'segment_rules', 'segment_name') }}
),

group_matches as (
    {{ first_matching_rule('scores', 'group_rules', 'group_name') }}
)

select
    cast(scores.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(scores.recency_days as {{ dbt.type_int() }}) as recency_days,
    cast(scores.frequency as {{ dbt.type_int() }}) as frequency,
    cast(scores.monetary as {{ type_money() }}) as monetary,
    scores.r_score,
    scores.f_score,
    scores.m_score,
    cast(
        {{ dbt.concat([
            try_cast('scores.r_score', dbt.type_string()),
            try_cast('scores.f_score', dbt.type_string()),
            try_cast('scores.m_score', dbt.type_string()),
        ]) }} as {{ dbt.type_string() }}
    ) as rfm_cell,
    cast(segment_matches.segment_name as {{ dbt.type_string() }}) as rfm_segment,
    cast(group_matches.group_name as {{ dbt.type_string() }}) as rfm_group,
    cast(scores.purchaser_count as {{ dbt.type_int() }}) as purchaser_count,
    {{ reporting_currency_column() }},
    cast(scores.as_of as {{ dbt.type_timestamp() }}) as as_of
from scores
left join segment_matches
    on scores.customer_id = segment_matches.customer_id
    and segment_matches.match_order = 1
left join group_matches
    on scores.customer_id = group_matches.customer_id
    and group_matches.match_order = 1
