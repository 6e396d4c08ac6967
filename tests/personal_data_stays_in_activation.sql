-- Names and email addresses live in staging and models/activation only (docs/definitions.md §8):
-- returns each column named email, first_name or last_name of a built model anywhere else (marts,
-- intermediate, audit), read from the database, so a column a model's SQL adds is caught whether
-- or not its YAML lists it. The refs below are the models nothing else reads, so the test runs
-- after every model it checks (tests_py/test_layers.py keeps the list complete).
-- depends_on: {{ ref('ab_test_results') }}
-- depends_on: {{ ref('attributed_orders') }}
-- depends_on: {{ ref('deliverability_health') }}
-- depends_on: {{ ref('flow_step_performance') }}
-- depends_on: {{ ref('journey_queue') }}
-- depends_on: {{ ref('journey_lift') }}
-- depends_on: {{ ref('program_kpis') }}
-- depends_on: {{ ref('rejected_fields') }}
-- depends_on: {{ ref('staging_reconciliation') }}
-- depends_on: {{ ref('segment_email_performance') }}
-- depends_on: {{ ref('send_time_performance') }}
-- depends_on: {{ ref('audience_deltas') }}
-- depends_on: {{ ref('calendar_days') }}
-- depends_on: {{ ref('journey_step_products') }}
-- depends_on: {{ ref('custom_segment_members') }}
-- depends_on: {{ ref('segment_change_reasons') }}
-- depends_on: {{ ref('custom_segment_definitions') }}
-- depends_on: {{ ref('segment_rule_inputs') }}
-- depends_on: {{ ref('segment_input_history') }}
-- depends_on: {{ ref('segment_threshold_history') }}
{%- if target.type == 'duckdb' %}
-- depends_on: {{ ref('customer_predictions') }}
{%- endif %}
{%- set personal_columns = ['email', 'first_name', 'last_name'] %}
{%- set allowed_layers = ['staging', 'activation'] %}
{%- set found = [] %}
{%- if execute %}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.fqn[1] not in allowed_layers %}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) %}
        {%- if relation is not none %}
            {%- for column in adapter.get_columns_in_relation(relation) %}
                {%- if column.name | lower in personal_columns %}
                    {%- do found.append((node.name, column.name | lower)) %}
                {%- endif %}
            {%- endfor %}
        {%- endif %}
    {%- endfor %}
{%- endif %}

with

personal_columns_outside_activation as (
    {%- for model_name, column_name in found %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        {{ string_literal(model_name) }} as model_name,
        {{ string_literal(column_name) }} as column_name
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as column_name
    where 1 = 0
    {%- endfor %}
)

select *
from personal_columns_outside_activation
