-- One row per customer and custom segment (var custom_segments, docs/custom_segments.md) the
-- customer is in at as_of. Each segment's condition is compiled by custom_segment_condition_sql
-- into one boolean over the customer's profile, activity aggregates and persona memberships;
-- every leaf is coalesced to false (two-valued logic), so a customer is in or out, never unknown.
-- entered_because holds each leaf's deciding value (custom_segment_evidence_sql), so a member can
-- be checked against the definition without rerunning it.
{%- set segments = custom_segment_definitions(report_left_out=true) %}
{%- set aggregates = custom_segment_aggregates(segments) %}
{%- set personas = custom_segment_personas(segments) %}
-- depends_on: {{ ref('int_persona_memberships') }}
with

profiles as (
    select * from {{ ref('custom_segment_profiles') }}
),

activity as (
    select * from {{ ref('int_custom_segment_activity') }}
),
{%- if personas %}

persona_memberships as (
    select * from {{ ref('int_persona_memberships') }}
),

-- Every persona a customer meets, not only the primary one.
persona_flags as (
    select
        customer_id,
        {%- for persona, column in personas.items() %}
        max(case when persona_name = {{ string_literal(persona) }} then 1 else 0 end) = 1 as {{ column }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from persona_memberships
    group by customer_id
),
{%- endif %}

customer_inputs as (
    select
        profiles.*
        {%- for source_aggregates in aggregates.values() %}
        {%- for aggregate in source_aggregates %},
        coalesce(activity.{{ aggregate.column }}, 0) as {{ aggregate.column }}
        {%- endfor %}
        {%- endfor %}
        {%- for column in personas.values() %},
        coalesce(persona_flags.{{ column }}, false) as {{ column }}
        {%- endfor %}
    from profiles
    left join activity on profiles.customer_id = activity.customer_id
    {%- if personas %}
    left join persona_flags on profiles.customer_id = persona_flags.customer_id
    {%- endif %}
),

evaluated as (
    select
        {%- for segment in segments %}
        {{ custom_segment_condition_sql(segment.condition, segments) }} as is_in_{{ segment.name }},
        {%- endfor %}
        customer_inputs.*
    from customer_inputs
),

members as (
    {%- for segment in segments %}
    select
        customer_id,
        {{ string_literal(segment.name) }} as segment_name,
        {{ custom_segment_evidence_sql(segment.condition, segments) }} as entered_because,
        as_of
    from evaluated
    where is_in_{{ segment.name }}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- else %}
    select
        customer_id,
        cast(null as {{ dbt.type_string() }}) as segment_name,
        cast(null as {{ dbt.type_string() }}) as entered_because,
        as_of
    from evaluated
    where 1 = 0
    {%- endfor %}
)

select * from members
