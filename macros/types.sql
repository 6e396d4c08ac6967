{# Money is a fixed-point decimal on every engine (SPEC §2: amounts are decimals). #}
{% macro type_money() -%}
    decimal(18, 2)
{%- endmacro %}

{# Ratios and averages: an 8-byte float on every engine (dbt.type_float() is 4 bytes on DuckDB). #}
{% macro type_double() -%}
    double
{%- endmacro %}
