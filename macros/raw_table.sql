{#
    The relation a staging model reads one docs/definitions.md §2 table from. Every staging model calls this
    instead of ref()/source(), so that the var `raw_source` switches all of them at once:
      seeds  -> the bundled demo CSVs (seeds/raw_<table>.csv, loaded as text)
      files  -> Parquet or CSV exports under var segments__raw_path (raw_file_format, raw_file_pattern)
      tables -> raw_source_relation(<table>): tables a loader keeps up to date, one source per
                system (models/staging/_staging__sources.yml, docs/package.md)
    Files and tables may carry typed columns (timestamps, decimals, booleans); every SPEC column
    is cast to text here, so the base models parse and check one shape whatever the input.
#}
{% macro raw_table(table_name) %}
    {%- set raw_source = var('segments__raw_source') -%}
    {%- if table_name in optional_raw_tables() and not raw_input_exists(table_name) -%}
        {{ raw_empty_relation(table_name) }}
    {%- elif raw_source == 'seeds' -%}
        {%- set seed = ref('raw_' ~ table_name) -%}
        {%- do check_raw_seed_columns(table_name, seed) -%}
        {{ seed }}
    {%- elif raw_source == 'files' -%}
        {{ raw_as_text(table_name, raw_file_relation(table_name)) }}
    {%- elif raw_source == 'tables' -%}
        {{ raw_as_text(table_name, raw_source_relation(table_name)) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var segments__raw_source = '" ~ raw_source ~ "' is not supported; use 'seeds', 'files' or 'tables'"
        ) }}
    {%- endif -%}
{% endmacro %}

{# The docs/definitions.md §2 columns of each raw table, in the SPEC's order. #}
{% macro raw_columns() %}
    {{ return({
        'customers': ['customer_id', 'email', 'first_name', 'last_name', 'country_code', 'created_at',
                      'email_consent', 'tracking_consent', 'birth_date', 'acquisition_source'],
        'products': ['product_id', 'product_name', 'category', 'price', 'replenishment_days'],
        'orders': ['order_id', 'customer_id', 'ordered_at', 'status', 'currency', 'subtotal', 'discount',
                   'shipping', 'total', 'refunded_amount'],
        'order_items': ['order_id', 'line_number', 'product_id', 'quantity', 'unit_price'],
        'email_messages': ['message_id', 'message_type', 'campaign_or_flow_name', 'flow_step', 'ab_test_id',
                           'variant', 'subject', 'sent_at'],
        'email_events': ['event_id', 'message_id', 'customer_id', 'event_type', 'occurred_at', 'bounce_type',
                         'user_agent', 'is_machine_open'],
        'web_events': ['event_id', 'session_id', 'customer_id', 'anonymous_id', 'event_type', 'product_id',
                       'occurred_at'],
        'exchange_rates': ['currency', 'rate_date', 'rate_to_reporting'],
    }) }}
{% endmacro %}

{#
    The source of one raw input (raw_source = tables): the system it comes from, whose database
    and schema, and the table's name, are vars (models/staging/_staging__sources.yml).
#}
{% macro raw_source_relation(table_name) %}
    {%- set systems = {
        'customers': 'shop', 'products': 'shop', 'orders': 'shop', 'order_items': 'shop',
        'email_messages': 'email', 'email_events': 'email',
        'web_events': 'web',
        'exchange_rates': 'finance',
    } -%}
    {{ return(source(systems[table_name], table_name)) }}
{% endmacro %}

{#
    Tables of raw_columns() a store may leave out: a store that sells in its reporting currency
    only needs no exchange rates. An absent optional input reads as an empty table with the SPEC
    columns; the check of the raw inputs (macros/check_raw_inputs.sql) reports a missing one only
    when it is not listed here, and the columns of a present one always.
#}
{% macro optional_raw_tables() %}
    {{ return(['exchange_rates']) }}
{% endmacro %}

{# Whether the raw input of `table_name` exists (always true at parse time and for seeds). #}
{% macro raw_input_exists(table_name) %}
    {%- if not execute or var('segments__raw_source') == 'seeds' -%}
        {{ return(true) }}
    {%- elif var('segments__raw_source') == 'tables' -%}
        {{ return(load_relation(raw_source_relation(table_name)) is not none) }}
    {%- else -%}
        {{ return(raw_file_exists(table_name)) }}
    {%- endif -%}
{% endmacro %}

{# No rows, with the SPEC columns of `table_name` as text: an optional input that is absent. #}
{% macro raw_empty_relation(table_name) -%}
    (
        select
            {%- for column in raw_columns()[table_name] %}
            cast(null as {{ dbt.type_string() }}) as {{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        where 1 = 0
    ) as raw_{{ table_name }}
{%- endmacro %}

{# A subquery with exactly the SPEC columns of `table_name`, each as text. #}
{% macro raw_as_text(table_name, relation) -%}
    (
        select
            {%- for column in raw_columns()[table_name] %}
            cast({{ column }} as {{ dbt.type_string() }}) as {{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ relation }}
    ) as raw_{{ table_name }}
{%- endmacro %}

{#
    The file(s) of one raw table: var segments__raw_path joined with var segments__raw_file_pattern, where {table}
    is the table name and {format} the var segments__raw_file_format. `{table}.{format}` reads one file,
    `{table}/*.parquet` a folder of Parquet parts (what src/store_segments/generators/generate_data.py writes).
#}
{% macro raw_file_path(table_name) -%}
    {%- set pattern = var('segments__raw_file_pattern') -%}
    {{- var('segments__raw_path') ~ '/' ~ pattern | replace('{table}', table_name) | replace('{format}', var('segments__raw_file_format')) -}}
{%- endmacro %}

{% macro raw_file_relation(table_name) %}
    {{ return(adapter.dispatch('raw_file_relation', 'segments')(table_name)) }}
{% endmacro %}

{# Engines without a file reader: point raw_source at `tables` and load the files there. #}
{% macro default__raw_file_relation(table_name) %}
    {{ exceptions.raise_compiler_error(
        "raw_source = 'files' needs an engine that reads files; on " ~ target.type
        ~ " load the files into tables and use raw_source = 'tables'"
    ) }}
{% endmacro %}

{#
    DuckDB reads Parquet (one file, a glob or a folder of parts) and CSV, every CSV column as
    text, in the RFC 4180 dialect spelled out rather than sniffed from the first rows.
    Parquet parts are read by column name (union_by_name): a column whose type differs between
    parts (a total written as a double one day, as text the next) reads as text instead of
    failing the build, and DuckDB counts the rows of every part instead of estimating them from
    the first. That estimate decides which side of a join it holds in memory: when the first
    part was a small nightly file, the staged orders took more than the 4 GB cap at 9M orders.
    A part without a required column stops the build (check_raw_inputs.sql).
#}
{% macro duckdb__raw_file_relation(table_name) -%}
    {%- set file_format = var('segments__raw_file_format') -%}
    {%- set path = raw_file_path(table_name) -%}
    {%- if file_format == 'parquet' -%}
        read_parquet('{{ path }}', union_by_name = true)
    {%- elif file_format == 'csv' -%}
        read_csv('{{ path }}', header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var segments__raw_file_format = '" ~ file_format ~ "' is not supported; use 'parquet' or 'csv'"
        ) }}
    {%- endif -%}
{%- endmacro %}

{#
    Spark reads Parquet by path (one file, a glob or a folder of parts; local, HDFS or S3 URIs).
    CSV has no header option in a path query: load CSV exports into tables (raw_source = tables).
#}
{% macro spark__raw_file_relation(table_name) -%}
    {%- set file_format = var('segments__raw_file_format') -%}
    {%- if file_format == 'parquet' -%}
        parquet.`{{ raw_file_path(table_name) }}`
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var segments__raw_file_format = '" ~ file_format ~ "' is not supported on Spark; use 'parquet', or load the"
            ~ " files into tables and use raw_source = 'tables'"
        ) }}
    {%- endif -%}
{%- endmacro %}

{#
    dbt's fixture of a unit test's given rows, overridden for the raw seeds (raw_customers, ...).
    dbt takes a fixture's column types from the input's table in the database; the base models'
    unit tests pin raw_source = seeds, and when a store builds from files or tables its base
    models do not depend on the demo seeds, so on a fresh database the unit tests ran before the
    seeds were loaded and failed (`relation doesn't exist`). The raw inputs are all text whatever
    the database holds, so their fixtures are built from raw_columns() instead: a column a row
    leaves out is null, a column not in docs/definitions.md §2 fails as in dbt's. Every other
    fixture is dbt's own.
#}
{% macro get_fixture_sql(rows, column_name_to_data_types) %}
    {%- set raw_tables = raw_columns() -%}
    {%- set table_name = model.name[4:] if model.name.startswith('raw_') else none -%}
    {%- if column_name_to_data_types or table_name not in raw_tables -%}
        {{ return(dbt.get_fixture_sql(rows, column_name_to_data_types)) }}
    {%- endif -%}
    {%- set column_types = {} -%}
    {%- for column in raw_tables[table_name] -%}
        {%- do column_types.update({column: dbt.type_string()}) -%}
    {%- endfor -%}
    {%- set null_value = try_cast('null', dbt.type_string()) -%}
    -- Fixture for {{ model.name }}
    {%- for row in rows %}
        {%- set formatted_row = format_row(row, column_types) %}
    select
        {%- for column in raw_tables[table_name] %}
        {{ formatted_row.get(column, null_value) }} as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if rows | length == 0 %}
    select
        {%- for column in raw_tables[table_name] %}
        {{ null_value }} as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endfor %}
    limit 0
    {%- endif %}
{% endmacro %}
