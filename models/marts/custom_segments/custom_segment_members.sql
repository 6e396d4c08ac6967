-- One row per customer and custom segment (var custom_segments, docs/custom_segments.md) the
-- customer is in at as_of. Each segment's condition is compiled by custom_segment_condition_sql
-- into one boolean over the customer's profile, activity aggregates and persona memberships;
-- every leaf is coalesced to false (two-valued logic), so a customer is in or out, never unknown.
{%- set segments = custom_segment_definitions() %}
-- depends_on: {{ ref('int_persona_memberships') }}
with

profiles as (
    select * from {{ ref('custom_segment_profiles') }}
),

activity as (
    select * from {{ ref('int_custom_segment_activity') }}
),

{{ custom_segment_inputs_ctes(segments) }},

evaluated as (
    select
        customer_id,
        {%- for segment in segments %}
        {{ custom_segment_condition_sql(segment.condition, segments) }} as is_in_{{ segment.name }},
        {%- endfor %}
        as_of
    from customer_inputs
),

members as (
    {%- for segment in segments %}
    select
        customer_id,
        {{ string_literal(segment.name) }} as segment_name,
        {{ string_literal('custom segment: ' ~ segment.description | trim) }} as entered_because,
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
