{#
    Hour of day 0-23 of a timestamp (ANSI extract, the same on DuckDB and Spark). The ISO weekday
    and its name are the macros iso_weekday / iso_weekday_name of macros/lifecycle.sql.
#}
{% macro hour_of_day(ts) -%}
    extract(hour from {{ ts }})
{%- endmacro %}
