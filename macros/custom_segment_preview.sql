{#
    The preview of one custom segment (`make segment NAME=...`, src/store_segments/runtime/segment.py). The
    script compiles custom_segment_preview through dbt (`dbt compile --inline`, no connection),
    so each top-level condition is compiled by the compiler the build uses, over the inputs
    custom_segment_members reads (custom_segment_inputs), and runs the query on a built DuckDB
    file opened read-only.
#}

{#- For one segment name: the defined names, the definition, its top-level conditions (the
    children of a top-level all or any, else the condition itself) as readable text and its
    leaves' labels (the wording of entered_because and the docs site), and a select with
    one row per customer: is_member, meets_<n> for each top-level condition, value_<n> for each
    leaf (what it compares), sample_order (a hash of customer_id), primary_persona, and the
    built custom_segment_members row's entered_because and is_built_member. Segment none, and no
    select, when the name is not defined. #}
{% macro custom_segment_preview(name) %}
    {%- set segments = custom_segment_definitions() -%}
    {%- set names = segments | map(attribute='name') | list -%}
    {%- set preview = {'name': name, 'names': names, 'segment': none, 'database': target.database} -%}
    {%- set found = segments | selectattr('name', 'equalto', name) | list -%}
    {%- if not found -%}
        {{ return(preview) }}
    {%- endif -%}
    {%- set segment = found[0] -%}
    {%- set condition = segment.condition -%}
    {%- set shape = 'all' if 'all' in condition else 'any' if 'any' in condition else 'one' -%}
    {%- set steps = [condition] if shape == 'one' else condition[shape] -%}
    {%- set leaves = custom_segment_leaves(condition) -%}
    {#- The wording of entered_because and the docs site: one way to read a condition. #}
    {%- set step_texts = [] -%}
    {%- for step in steps -%}
        {%- do step_texts.append(custom_segment_readable(step)) -%}
    {%- endfor -%}
    {%- set leaf_labels = [] -%}
    {%- for leaf in leaves -%}
        {%- do leaf_labels.append(custom_segment_leaf_label(leaf)) -%}
    {%- endfor -%}
    {%- set activity_columns = [] -%}
    {%- for source_aggregates in custom_segment_aggregates(segments).values() -%}
        {%- for aggregate in source_aggregates -%}
            {%- do activity_columns.append(aggregate.column) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set activity = ref('int_custom_segment_activity') -%}
    {%- set sql -%}
with

{{ custom_segment_inputs(segments) }},

evaluated as (
    select
        customer_id,
        as_of,
        {{ custom_segment_condition_sql(condition, segments) }} as is_member,
        {%- for step in steps %}
        {{ custom_segment_condition_sql(step, segments) }} as meets_{{ loop.index }},
        {%- endfor %}
        {%- for leaf in leaves %}
        {{ custom_segment_leaf_value_sql(leaf, segments) }} as value_{{ loop.index }},
        {%- endfor %}
        {{ hash_fraction('customer_id') }} as sample_order
    from customer_inputs
)

select
    evaluated.*,
    personas.primary_persona,
    members.entered_because,
    members.customer_id is not null as is_built_member
from evaluated
left join {{ ref('customer_personas') }} as personas on evaluated.customer_id = personas.customer_id
left join {{ ref('custom_segment_members') }} as members
    on evaluated.customer_id = members.customer_id and members.segment_name = {{ string_literal(name) }}
    {%- endset -%}
    {%- do preview.update({
        'segment': segment, 'shape': shape, 'steps': step_texts, 'leaves': leaf_labels, 'sql': sql,
        'activity_schema': activity.schema, 'activity_table': activity.identifier,
        'activity_columns': activity_columns,
    }) -%}
    {{ return(preview) }}
{% endmacro %}
