{#
    Seeds on DuckDB. dbt-duckdb's own duckdb__load_csv_rows copies each seed with
    `COPY ... (FORMAT CSV, HEADER TRUE, DELIMITER ...)` and lets DuckDB's sniffer guess the rest
    of the dialect from the first 20,480 rows: a seed whose sample holds no doubled quote gets
    no escape character, and a valid RFC 4180 row after the sample (`"Anna ""Nan"" Berg"`) then
    fails the load with "unterminated quote". The adapter has no config for quote or escape, so
    this root-project macro of the same name replaces it (dbt searches the root project first in
    the `dbt` namespace, as for spark__load_csv_rows) and spells out the whole dialect with the
    sniffer off: comma (or the seed's `delimiter` config), `"` quotes, `""` inside quotes, a
    header row, an unquoted empty cell as NULL. Column types are the seed table's (column_types:
    the raw seeds are all text, so `00017` stays `00017`). The config `fast: false` of
    dbt-duckdb is not supported: every seed is copied. The row count is checked against the CSV
    that dbt parsed, as on Spark.
#}
{% macro duckdb__load_csv_rows(model, agate_table) %}
    {%- set seed_file_path = adapter.get_seed_file_path(model) -%}
    {%- set sql -%}
        copy {{ this.render() }} from {{ string_literal(seed_file_path) }} (
            format csv,
            auto_detect false,
            header true,
            delimiter {{ string_literal(config.get('delimiter', ',')) }},
            quote '"',
            escape '"',
            null ''
        )
    {%- endset -%}
    {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
    {%- do segments.seed_check_row_count(agate_table.rows | length) -%}
    {{ return(sql) }}
{% endmacro %}
