-- One row per custom segment of var segments__custom_segments (docs/custom_segments.md): its name, owner,
-- description and condition as readable text (custom_segment_readable, the wording of
-- entered_because's labels), so people and the docs site read the definitions without YAML.
{%- set segments = custom_segment_definitions() %}
/* The custom segments of this build (the docs site shows this in the model's compiled code):
{{ custom_segment_docs(segments) }}
*/
with

definitions as (
    {%- for segment in segments %}
    select
        cast({{ string_literal(segment.name) }} as {{ dbt.type_string() }}) as segment_name,
        cast({{ string_literal(segment.owner | trim) }} as {{ dbt.type_string() }}) as owner,
        cast({{ string_literal(segment.description | trim) }} as {{ dbt.type_string() }}) as description,
        cast({{ string_literal(custom_segment_readable(segment.condition)) }} as {{ dbt.type_string() }})
            as readable_condition
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as segment_name,
        cast(null as {{ dbt.type_string() }}) as owner,
        cast(null as {{ dbt.type_string() }}) as description,
        cast(null as {{ dbt.type_string() }}) as readable_condition
    -- A FROM, as not every engine filters a select without one.
    from (select 1 as no_segment) as no_segments
    where 1 = 0
    {%- endfor %}
)

select * from definitions
