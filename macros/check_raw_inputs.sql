{#
    A raw input without a docs/definitions.md §2 column would otherwise fail deep inside a base model with the
    engine's binder error. These macros stop the build first, with one line per missing column
    (`raw_orders: missing column ordered_at`), every input at once.
      files, tables -> the on-run-start hook check_raw_inputs(), before any model runs;
      seeds         -> raw_table() at execution time (dbt build loads the seeds after
                       on-run-start), so the first model reading a seed fails with the message.
    Tables listed in optional_raw_tables() are checked only when present.
#}

{#
    Whether this command builds models: only those check, so `dbt seed`, `parse`, `compile`,
    `docs`, `test` and `run-operation` work on incomplete raw inputs.
#}
{% macro raw_inputs_are_checked() %}
    {{ return(execute and flags.WHICH in ['build', 'run', 'retry']) }}
{% endmacro %}

{# The on-run-start hook (dbt_project.yml). #}
{% macro check_raw_inputs() %}
    {%- if raw_inputs_are_checked() and var('segments__raw_source') in ['files', 'tables'] -%}
        {%- do raise_raw_input_problems(raw_input_problems()) -%}
    {%- endif -%}
{% endmacro %}

{# One line per problem of every raw input of the var segments__raw_source (files or tables). #}
{% macro raw_input_problems() %}
    {%- set optional_tables = optional_raw_tables() -%}
    {%- set problems = [] -%}
    {%- for table_name, required in raw_columns().items() -%}
        {%- set columns = raw_input_columns(table_name) -%}
        {%- if columns is string -%}
            {%- if table_name not in optional_tables -%}
                {%- do problems.append('raw_' ~ table_name ~ ': ' ~ columns) -%}
            {%- endif -%}
        {%- else -%}
            {%- set missing = missing_raw_columns(table_name, required, columns) -%}
            {%- do problems.extend(missing) -%}
            {%- if not missing and var('segments__raw_source') == 'files' -%}
                {%- do problems.extend(raw_file_parts_missing_columns(table_name, required)) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}

{#
    Files are read by column name across their parts, so a part without a column would read as
    nulls in it (every discount of a day's export gone, say): `raw_<table>: missing column
    <column> in <file>` for each part and required column it lacks, the first 20 of them.
#}
{% macro raw_file_parts_missing_columns(table_name, required) %}
    {{ return(adapter.dispatch('raw_file_parts_missing_columns', 'segments')(table_name, required)) }}
{% endmacro %}

{# Engines that read files by position or not at all have nothing to add. #}
{% macro default__raw_file_parts_missing_columns(table_name, required) %}
    {{ return([]) }}
{% endmacro %}

{% macro duckdb__raw_file_parts_missing_columns(table_name, required) %}
    {%- if var('segments__raw_file_format') != 'parquet' -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set schema = 'parquet_schema(' ~ string_literal(raw_file_path(table_name)) ~ ')' -%}
    {%- set query -%}
        with
        required_columns as (
            {%- for column in required %}
            select {{ string_literal(column | lower) }} as column_name{{ ' union all' if not loop.last }}
            {%- endfor %}
        ),
        parts as (select distinct file_name from {{ schema }}),
        present as (select file_name, lower(name) as column_name from {{ schema }})
        select parts.file_name, required_columns.column_name
        from parts
        cross join required_columns
        left join present
            on parts.file_name = present.file_name and required_columns.column_name = present.column_name
        where present.column_name is null
        order by parts.file_name, required_columns.column_name
        limit 20
    {%- endset -%}
    {%- set problems = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- do problems.append('raw_' ~ table_name ~ ': missing column ' ~ row[1] ~ ' in ' ~ row[0]) -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}

{#
    The column names of one raw input (files or tables), lower case, or a string saying why
    there are none (no such table, no file).
#}
{% macro raw_input_columns(table_name) %}
    {%- if var('segments__raw_source') == 'tables' -%}
        {%- set relation = load_relation(raw_source_relation(table_name)) -%}
        {%- if relation is none -%}
            {{ return('missing table ' ~ raw_source_relation(table_name)) }}
        {%- endif -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') -%}
    {%- else -%}
        {%- if not raw_file_exists(table_name) -%}
            {{ return('no file matches ' ~ raw_file_path(table_name)) }}
        {%- endif -%}
        {%- set names = run_query('select * from ' ~ raw_file_relation(table_name) ~ ' where 1 = 0').column_names -%}
    {%- endif -%}
    {{ return(names | map('lower') | list) }}
{% endmacro %}

{# `raw_<table>: missing column <column>` for each required column not in `columns`. #}
{% macro missing_raw_columns(table_name, required, columns) %}
    {%- set problems = [] -%}
    {%- for column in required if column | lower not in columns -%}
        {%- do problems.append('raw_' ~ table_name ~ ': missing column ' ~ column) -%}
    {%- endfor -%}
    {{ return(problems) }}
{% endmacro %}

{# One compiler error listing every problem; nothing when there is none. #}
{% macro raise_raw_input_problems(problems) %}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            "The raw input (raw_source = " ~ var('segments__raw_source') ~ ") lacks docs/definitions.md §2 tables or columns"
            ~ " (README \"Bring your own data\"):\n" ~ problems | join('\n')
        ) }}
    {%- endif -%}
{% endmacro %}

{#
    raw_source = seeds, called by raw_table() when a model runs: the seed table must have every
    column. Unit tests replace the seed by their own rows (columns left out are null); a seed
    that is not loaded yet is left to the engine's "does not exist" error.
#}
{% macro check_raw_seed_columns(table_name, relation) %}
    {%- if raw_inputs_are_checked() and model.resource_type != 'unit_test' -%}
        {%- set loaded = load_relation(relation) -%}
        {%- if loaded is not none -%}
            {%- set columns = adapter.get_columns_in_relation(loaded) | map(attribute='name') | map('lower') | list -%}
            {%- do raise_raw_input_problems(missing_raw_columns(table_name, raw_columns()[table_name], columns)) -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{# Whether raw_source = files has at least one file for the table. #}
{% macro raw_file_exists(table_name) %}
    {{ return(adapter.dispatch('raw_file_exists', 'segments')(table_name)) }}
{% endmacro %}

{# Engines that cannot list files: assume the file is there; reading a missing one fails anyway. #}
{% macro default__raw_file_exists(table_name) %}
    {{ return(true) }}
{% endmacro %}

{% macro duckdb__raw_file_exists(table_name) %}
    {%- set matches = run_query('select count(*) from glob(' ~ string_literal(raw_file_path(table_name)) ~ ')') -%}
    {{ return(matches.columns[0].values()[0] | int > 0) }}
{% endmacro %}
