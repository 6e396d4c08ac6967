{#
    Plausible values: what a raw row must satisfy before any fact counts it. The bounds are vars
    (group "Plausible values" of dbt_project.yml); docs/definitions.md states the rules.
#}

{#
    True when `column` (a UTC timestamp) lies in [plausible_timestamp_min, plausible_timestamp_max).
    Sentinels exports write for "no date" or "no end" (0001-01-01, 1900-01-01, 1970-01-01,
    9999-12-31) fall outside the defaults; a NULL is not plausible either (`infinity` does not
    parse: parse_utc_timestamp).
#}
{% macro is_plausible_timestamp(column) -%}
    ({{ column }} >= {{ timestamp_literal(var('segments__plausible_timestamp_min'), 'segments__plausible_timestamp_min') }}
    and {{ column }} < {{ timestamp_literal(var('segments__plausible_timestamp_max'), 'segments__plausible_timestamp_max') }})
{%- endmacro %}

{#
    True when a money `amount` in its own currency, converted at `exchange_rate`, is above
    max_plausible_order_value (reporting currency). Compared as doubles: a product of two
    decimals could overflow the decimal type on the very rows this check exists to catch.
#}
{% macro is_implausible_amount(amount, exchange_rate) -%}
    (cast({{ amount }} as {{ type_double() }}) * cast({{ exchange_rate }} as {{ type_double() }})
    > {{ max_plausible_order_value() }})
{%- endmacro %}

{#
    The var segments__max_plausible_order_value, checked at compile time. Its ceiling keeps every sum of
    staged amounts inside type_money() (decimal(18, 2)): a customer would need about ten million
    orders at the bound to reach it.
#}
{% macro max_plausible_order_value() -%}
    {%- set value = var('segments__max_plausible_order_value') -%}
    {%- if value is not number or value <= 0 or value > 1000000000 -%}
        {{ exceptions.raise_compiler_error(
            "var segments__max_plausible_order_value = '" ~ value ~ "' must be a number in (0, 1000000000]"
        ) }}
    {%- endif -%}
    {{- value -}}
{%- endmacro %}

{#
    A money `amount` in its own currency converted at `exchange_rate` (units of the reporting
    currency per unit), rounded half up to cents. decimal(18, 2) x decimal(18, 10) is exact on
    both engines; the bound above keeps the result inside type_money().
#}
{% macro to_reporting_currency(amount, exchange_rate) -%}
    cast(round({{ amount }} * {{ exchange_rate }}, 2) as {{ type_money() }})
{%- endmacro %}
