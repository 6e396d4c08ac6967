{#
    Calendar parts of a timestamp in plain SQL. The weekday is counted from a known Monday
    (1900-01-01) with dbt.datediff, because engines disagree on extract(dow ...) (DuckDB: 0 =
    Sunday; Spark: 1 = Sunday) and on the name of the ISO field.
#}

{# ISO weekday of ts: 1 = Monday ... 7 = Sunday. #}
{% macro iso_weekday(ts) -%}
    (1 + mod({{ dbt.datediff("cast('1900-01-01' as date)", 'cast(' ~ ts ~ ' as date)', 'day') }}, 7))
{%- endmacro %}

{# Hour of day 0-23 of ts (ANSI extract, same on DuckDB and Spark). #}
{% macro hour_of_day(ts) -%}
    extract(hour from {{ ts }})
{%- endmacro %}

{# English weekday name of an ISO weekday number. #}
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
