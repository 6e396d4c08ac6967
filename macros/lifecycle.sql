{#
    Engine-specific pieces of the lifecycle models (customer_purchase_cadence, AOV bands), each
    with a default__ (ANSI / Postgres-like) and a duckdb__ implementation; spark__ is added where
    Spark spells it differently, for the issue that moves the project there.
#}

{# The continuous percentile (linear interpolation) of `expression` as an aggregate, fraction in 0..1. #}
{% macro percentile_value(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_value', 'segments')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_value(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile_value(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_value(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{# The median of `expression` as an aggregate (the 0.5 continuous percentile). #}
{% macro median_value(expression) -%}
    {{ percentile_value(expression, 0.5) }}
{%- endmacro %}

{# ISO day of week of a date or timestamp: 1 = Monday ... 7 = Sunday. #}
{% macro iso_weekday(expression) -%}
    {{ return(adapter.dispatch('iso_weekday', 'segments')(expression)) }}
{%- endmacro %}

{% macro default__iso_weekday(expression) -%}
    cast(extract(isodow from {{ expression }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro duckdb__iso_weekday(expression) -%}
    cast(isodow({{ expression }}) as {{ dbt.type_int() }})
{%- endmacro %}

{# Spark: weekday() is 0 = Monday ... 6 = Sunday. #}
{% macro spark__iso_weekday(expression) -%}
    cast(weekday({{ expression }}) + 1 as {{ dbt.type_int() }})
{%- endmacro %}

{# The English name of an ISO weekday number (1 = Monday). #}
{% macro iso_weekday_name(weekday_number) -%}
    case {{ weekday_number }}
        when 1 then 'Monday'
        when 2 then 'Tuesday'
        when 3 then 'Wednesday'
        when 4 then 'Thursday'
        when 5 then 'Friday'
        when 6 then 'Saturday'
        when 7 then 'Sunday'
    end
{%- endmacro %}
