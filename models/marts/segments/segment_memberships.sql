-- One row per customer and segment the customer is in at as_of: every persona the customer
-- meets (they overlap on purpose), the RFM segment and the RFM retention group, the lifecycle
-- stage, and every custom segment of var segments__custom_segments (family custom). This is the table a
-- reverse-ETL job syncs to the email platform.
with

persona_memberships as (
    select * from {{ ref('int_persona_memberships') }}
),

customer_rfm as (
    select * from {{ ref('customer_rfm') }}
),

customer_lifecycle as (
    select * from {{ ref('customer_lifecycle') }}
),

custom_segment_members as (
    select * from {{ ref('custom_segment_members') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

rfm_evidence as (
    select
        customer_id,
        rfm_segment,
        rfm_group,
        {{ dbt.concat([
            "'rfm_cell='", 'rfm_cell',
            "'; recency_days='", as_text('recency_days'),
            "'; frequency='", as_text('frequency'),
            "'; monetary='", as_text('monetary'),
        ]) }} as entered_because
    from customer_rfm
),

-- The facts the lifecycle stage rule compares (lifecycle_condition_facts), as rfm_evidence does.
lifecycle_evidence as (
    select
        customer_id,
        lifecycle_stage,
        {%- set parts = [] %}
        {%- for condition, input in lifecycle_condition_facts().items() %}
        {%- do parts.extend([
            string_literal(('; ' if not loop.first else '') ~ input.fact ~ '='),
            "coalesce(" ~ as_text(input.fact) ~ ", 'none')",
        ]) %}
        {%- endfor %}
        {{ dbt.concat(parts) }} as entered_because
    from customer_lifecycle
),

memberships as (
    select
        customer_id,
        persona_name as segment_name,
        {{ dbt.concat(['persona_family', "'_persona'"]) }} as segment_family,
        entered_because
    from persona_memberships

    union all

    select
        customer_id,
        rfm_segment as segment_name,
        'rfm_segment' as segment_family,
        entered_because
    from rfm_evidence

    union all

    select
        customer_id,
        rfm_group as segment_name,
        'rfm_group' as segment_family,
        entered_because
    from rfm_evidence

    union all

    select
        customer_id,
        lifecycle_stage as segment_name,
        'lifecycle_stage' as segment_family,
        entered_because
    from lifecycle_evidence

    union all

    select
        customer_id,
        segment_name,
        'custom' as segment_family,
        entered_because
    from custom_segment_members
)

select
    cast(memberships.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(memberships.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(memberships.segment_family as {{ dbt.type_string() }}) as segment_family,
    cast(memberships.entered_because as {{ dbt.type_string() }}) as entered_because,
    cast(as_of_point.as_of as {{ dbt.type_timestamp() }}) as as_of
from memberships
cross join as_of_point
