{# Money is a fixed-point decimal on every engine (docs/definitions.md §2: amounts are decimals). #}
{% macro type_money() -%}
    decimal(18, 2)
{%- endmacro %}

{# Ratios and averages: an 8-byte float on every engine (dbt.type_float() is 4 bytes on DuckDB). #}
{% macro type_double() -%}
    double
{%- endmacro %}

{# An exchange rate: 10 decimals keep 4+ significant digits for a rate as small as 0.0001. #}
{% macro type_exchange_rate() -%}
    decimal(18, 10)
{%- endmacro %}

{#
    The `reporting_currency` column of a table with money columns: which currency they are in
    (var segments__reporting_currency), so a reader of the table needs no other place to find it.
#}
{% macro reporting_currency_column() -%}
    cast({{ string_literal(var('segments__reporting_currency')) }} as {{ dbt.type_string() }}) as reporting_currency
{%- endmacro %}
