-- One row per customer and tested win-back segment (docs/definitions.md §5): One-Hit Wonders, Just Passing
-- Through and False Starts. A deterministic sample of the emailable members (hash of customer_id
-- and a salt) gets the test send: share of the segment or winback_sample_min_contacts, whichever
-- is greater, capped at the segment. Reruns with the same salt pick the same people.
{%- set shares = var('segments__winback_sample_shares') %}
with

persona_memberships as (
    select * from {{ ref('int_persona_memberships') }}
),

customer_facts as (
    select
        customer_id,
        is_emailable
    from {{ ref('customer_facts') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

sample_shares as (
    {% for segment_name, share in shares.items() %}
    {%- if not loop.first %}
    union all
    {% endif %}
    select
        {{ string_literal(segment_name) }} as segment_name,
        {{ share }} as sample_share
    {% endfor %}
),

members as (
    select
        persona_memberships.customer_id,
        persona_memberships.persona_name as segment_name,
        sample_shares.sample_share,
        customer_facts.is_emailable,
        {{ dbt.hash(dbt.concat([
            'persona_memberships.customer_id', "'|'", string_literal(var('segments__winback_sample_salt'))
        ])) }} as sample_hash
    from persona_memberships
    inner join sample_shares
        on persona_memberships.persona_name = sample_shares.segment_name
    inner join customer_facts
        on persona_memberships.customer_id = customer_facts.customer_id
),

sized as (
    select
        *,
        count(*) over (partition by segment_name) as segment_size,
        sum(case when is_emailable then 1 else 0 end) over (partition by segment_name) as emailable_size,
        case
            when is_emailable
                then row_number() over (partition by segment_name, is_emailable order by sample_hash, customer_id)
        end as sample_rank
    from members
),

with_sample_size as (
    select
        *,
        case
            when ceil(sample_share * emailable_size) > {{ var('segments__winback_sample_min_contacts') }}
                then ceil(sample_share * emailable_size)
            when emailable_size < {{ var('segments__winback_sample_min_contacts') }} then emailable_size
            else {{ var('segments__winback_sample_min_contacts') }}
        end as sample_size
    from sized
)

select
    cast(with_sample_size.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(with_sample_size.segment_name as {{ dbt.type_string() }}) as segment_name,
    with_sample_size.is_emailable,
    cast(with_sample_size.segment_size as {{ dbt.type_int() }}) as segment_size,
    cast(with_sample_size.emailable_size as {{ dbt.type_int() }}) as emailable_size,
    cast(with_sample_size.sample_share as {{ type_double() }}) as sample_share,
    cast(with_sample_size.sample_size as {{ dbt.type_int() }}) as sample_size,
    cast(with_sample_size.sample_rank as {{ dbt.type_int() }}) as sample_rank,
    coalesce(with_sample_size.sample_rank <= with_sample_size.sample_size, false) as is_in_test_sample,
    cast(with_sample_size.sample_hash as {{ dbt.type_string() }}) as sample_hash,
    cast(as_of_point.as_of as {{ dbt.type_timestamp() }}) as as_of
from with_sample_size
cross join as_of_point
