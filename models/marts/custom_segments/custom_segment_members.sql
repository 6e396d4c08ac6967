-- One row per customer and custom segment (var segments__custom_segments, docs/custom_segments.md) the
-- customer is in at as_of. Each segment's condition is compiled by custom_segment_condition_sql
-- into one boolean over the customer's profile, activity aggregates and persona memberships;
-- every leaf is coalesced to false (two-valued logic), so a customer is in or out, never unknown.
-- The inputs (custom_segment_inputs) are the ones `make segment` previews a segment over.
-- entered_because holds each leaf's deciding value (custom_segment_evidence_sql), so a member can
-- be checked against the definition without rerunning it.
{%- set segments = custom_segment_definitions(report_left_out=true) %}
-- depends_on: {{ ref('int_persona_memberships') }}
with

{{ custom_segment_inputs(segments) }},

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
