{#
    The production build (src/store_segments/runtime/build.py, `make build`) records a point in the history models
    (segment_history, audience_history, segment_input_history, segment_threshold_history: every
    model with full_refresh false) only when the whole build passed and was published. A model
    that stores only changes (segment_input_history) is taken back the same way: its latest point
    is the last build that changed anything, and every row after it is the failed build's. dbt writes a history model in DAG order, before the data
    tests of other models have run, so the build backs up each history model's latest point
    first and, when anything fails, takes back what the build wrote (restore_history_points).
    The backups are tables in schema <target schema>_build, which nothing publishes.
#}

{% macro history_backup_relation(node) -%}
    {{ return(api.Relation.create(
        database=node.database,
        schema=target.schema ~ '_build',
        identifier=node.schema ~ '__' ~ node.alias ~ '__latest_point',
        type='table'
    )) }}
{%- endmacro %}

{% macro history_nodes(model_names) -%}
    {%- set nodes = [] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.name in model_names -%}
            {%- do nodes.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(nodes) }}
{%- endmacro %}

{# Copy the latest recorded point of each history model into its backup table. #}
{% macro backup_history_points(model_names) %}
    {%- do adapter.create_schema(api.Relation.create(database=target.database, schema=target.schema ~ '_build')) -%}
    {%- for node in history_nodes(model_names) -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- set backup = history_backup_relation(node) -%}
        {%- do adapter.drop_relation(backup) -%}
        {%- if relation is not none -%}
            {%- do run_query(
                'create table ' ~ backup ~ ' as select * from ' ~ relation
                ~ ' where as_of = (select max(as_of) from ' ~ relation ~ ')'
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do adapter.commit() -%}
{% endmacro %}

{#
    Take back what a failed build wrote. History records forward only (records_only_forward), so
    a build writes nothing before the latest point it found: every row from the backed-up point on
    goes, and the backed-up point comes back. A model in `emptied` held no row before the build
    (a first build's backfill wrote it all): every row goes. Then the backups are dropped.
#}
{% macro restore_history_points(model_names, emptied=[]) %}
    {%- for node in history_nodes(model_names) -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- set backup = history_backup_relation(node) -%}
        {%- set backed_up = adapter.get_relation(database=backup.database, schema=backup.schema, identifier=backup.identifier) -%}
        {%- if relation is not none and node.name in emptied -%}
            {%- do run_query('delete from ' ~ relation) -%}
        {%- elif relation is not none and backed_up is not none -%}
            {%- do run_query(
                'delete from ' ~ relation ~ ' where as_of >= (select max(as_of) from ' ~ backed_up ~ ')'
            ) -%}
            {%- do run_query('insert into ' ~ relation ~ ' select * from ' ~ backed_up) -%}
        {%- endif -%}
        {%- if backed_up is not none -%}
            {%- do adapter.drop_relation(backed_up) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do adapter.commit() -%}
{% endmacro %}

{# A passed and published build keeps what it wrote: only the backups go. #}
{% macro drop_history_backups(model_names) %}
    {%- for node in history_nodes(model_names) -%}
        {%- do adapter.drop_relation(history_backup_relation(node)) -%}
    {%- endfor -%}
    {%- do adapter.commit() -%}
{% endmacro %}

{#
    The config of every history model: incremental by as_of (a build replaces its own instant and
    keeps the others), full_refresh false (history cannot be rebuilt from current data; the build
    finds the history models by that setting), new columns appended. Usage, in the model:
        {{ '{{' }} config(**history_config()) {{ '}}' }}
#}
{% macro history_config() %}
    {%- set settings = {'on_schema_change': 'append_new_columns', 'full_refresh': false} -%}
    {%- do settings.update(incremental_by_partition('as_of')) -%}
    {{ return(settings) }}
{% endmacro %}

{#
    The select of a history model that records a model as each build saw it (segment_history,
    audience_history): `relation`'s rows, as_of typed as a timestamp and `string_columns` as
    strings, recorded only forward (records_only_forward).
#}
{% macro history_point(relation, string_columns) -%}
select
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of,
    {%- for column in string_columns %}
    cast({{ column }} as {{ dbt.type_string() }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ relation }}
{{ records_only_forward() }}
{%- endmacro %}

{#
    The where clause of a history model: a build at an as_of before the latest point the model
    holds records nothing, so looking back (a preview, a developer's build at a past as_of) never
    writes history for a past instant. Var history_record_past lets src/store_segments/runtime/replay.py record the
    past on purpose. A first build (no table yet, or an empty one) records its point.
#}
{% macro records_only_forward(as_of_column='as_of') -%}
    {%- if is_incremental() and not var('segments__history_record_past') -%}
    where {{ as_of_column }} >= coalesce(
        (select max(recorded.{{ as_of_column }}) from {{ this }} as recorded),
        {{ as_of_column }}
    )
    {%- endif -%}
{%- endmacro %}
