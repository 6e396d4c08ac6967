{#
    A raw timestamp string as a UTC timestamp without time zone, NULL when it does not parse.
    Exports mix `2026-03-01 08:00:00` (taken as UTC), `2026-03-01T08:00:00Z` and
    `2026-03-01T10:00:00+02:00`; all three give 2026-03-01 08:00:00.
#}
{% macro parse_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'segments')(column)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(column) -%}
    {{ dbt.safe_cast(column, api.Column.translate_type('timestamp')) }}
{%- endmacro %}

{# DuckDB: parse as timestamptz (which honours the offset), then read the wall clock in UTC. #}
{% macro duckdb__parse_utc_timestamp(column) -%}
    cast(try_cast({{ column }} as timestamptz) at time zone 'UTC' as timestamp)
{%- endmacro %}
