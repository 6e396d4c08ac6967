{#
    Seeds on Spark. dbt-spark's own spark__load_csv_rows sends each value as a query parameter,
    and the `session` method formats parameters into the SQL with Python's `%` without quoting
    them: `00017` arrives as the number 17, a value with a space breaks the statement and an
    empty cell becomes the text 'None' (dbt-labs/dbt-spark#901). A root-project macro of the
    same name wins over the adapter's (dbt searches the root project first in the `dbt`
    namespace), so this one replaces it. The var segments__spark_seed_loader picks how:
      - `csv_file` (default; the `session` method, or a cluster that sees the project's files):
        Spark reads the CSV itself (all columns as text, RFC 4180 quoting) and casts each column
        to its type in one `insert ... select`: seconds, where VALUES lists took 10 minutes
        for the demo's 142k rows.
      - `sql_literals` (thrift, odbc, http: a cluster that cannot read a file on this machine):
        each value is written as a typed literal, `cast('00017' as string)`.
    Either way an empty cell is NULL, as in DuckDB's CSV load, and the row count is checked
    against the CSV that dbt parsed.
#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set columns = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do columns.append({
            'name': column_name,
            'quoted': adapter.quote_seed_column(column_name | string, model['config'].get('quote_columns', none)),
            'type': column_override.get(column_name, adapter.convert_type(agate_table, loop.index0)),
        }) -%}
    {%- endfor -%}
    {%- set loader = var('segments__spark_seed_loader', 'csv_file') -%}
    {%- if loader == 'csv_file' -%}
        {%- set sql = segments.spark_seed_insert_from_csv(model, columns) -%}
    {%- elif loader == 'sql_literals' -%}
        {%- set sql = segments.spark_seed_insert_literals(agate_table, columns) -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var segments__spark_seed_loader = '" ~ loader ~ "' is not supported; use 'csv_file' or 'sql_literals'"
        ) }}
    {%- endif -%}
    {%- do segments.seed_check_row_count(agate_table.rows | length) -%}
    {{ return(sql) }}
{% endmacro %}

{# One `insert ... select` from a temporary view over the seed's CSV file. #}
{% macro spark_seed_insert_from_csv(model, columns) %}
    {%- set csv_path = model['root_path'] ~ '/' ~ model['original_file_path'] -%}
    {%- set csv_view = adapter.quote(this.identifier ~ '__csv') -%}
    {%- call statement('seed_csv_view') -%}
        create or replace temporary view {{ csv_view }}
        using csv
        options (
            path {{ string_literal(csv_path) }},
            header 'true',
            inferSchema 'false',
            multiLine 'true',
            quote '"',
            escape '"',
            mode 'FAILFAST',
            delimiter {{ string_literal(model['config'].get('delimiter', ',')) }}
        )
    {%- endcall -%}
    {%- set sql -%}
        insert into {{ this.render() }}
        select
            {%- for column in columns %}
            cast({{ adapter.quote(column.name) }} as {{ column.type }}) as {{ column.quoted }}
            {{- "," if not loop.last }}
            {%- endfor %}
        from {{ csv_view }}
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {{ return(sql) }}
{% endmacro %}

{# Batched `insert ... values` of typed literals; returns the first statement. #}
{% macro spark_seed_insert_literals(agate_table, columns) %}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as {{ columns[loop.index0].type }})
                    {%- else -%}
                        cast({{ string_literal(value) }} as {{ columns[loop.index0].type }})
                    {%- endif -%}
                    {{- ", " if not loop.last -}}
                {%- endfor -%})
                {{- "," if not loop.last }}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{#
    Fails the seed when the engine loaded another number of rows than dbt parsed from the CSV
    (Python's csv module, RFC 4180): used by the Spark and the DuckDB loader.
#}
{% macro seed_check_row_count(expected_rows) %}
    {%- set loaded = run_query('select count(*) from ' ~ this.render()).columns[0].values()[0] -%}
    {%- if loaded | int != expected_rows | int -%}
        {{ exceptions.raise_compiler_error(
            'seed ' ~ this ~ ': ' ~ target.type ~ ' loaded ' ~ loaded ~ ' rows, the CSV has ' ~ expected_rows
        ) }}
    {%- endif -%}
{% endmacro %}

{# Rows per insert statement of the literal path: Spark's parser slows down on long VALUES lists. #}
{% macro spark__get_batch_size() %}
    {{ return(1000) }}
{% endmacro %}
