{#
    The later of two nullable timestamps, ignoring a NULL (greatest() returns NULL on some
    engines when either side is NULL).
#}
{% macro latest_of(first_at, second_at) -%}
    case
        when {{ first_at }} is null then {{ second_at }}
        when {{ second_at }} is null then {{ first_at }}
        when {{ first_at }} >= {{ second_at }} then {{ first_at }}
        else {{ second_at }}
    end
{%- endmacro %}
