{#
    Hour of day 0-23 of a timestamp (ANSI extract, the same on DuckDB and Spark). The ISO weekday
    number is the dispatched macro iso_day_of_week (macros/portability/portability.sql).
#}
{% macro hour_of_day(ts) -%}
    extract(hour from {{ ts }})
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
