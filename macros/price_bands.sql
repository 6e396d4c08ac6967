{#
    The band of a value among the store's quartiles (docs/definitions.md §6.1, §9): budget <= Q1 <
    core <= median < premium <= Q3 < luxury. The AOV band of a customer and the price band of a
    product are this one rule on different quartiles.
#}
{% macro quartile_band(value, q1, median, q3) -%}
    case
        when {{ value }} <= {{ q1 }} then 'budget'
        when {{ value }} <= {{ median }} then 'core'
        when {{ value }} <= {{ q3 }} then 'premium'
        else 'luxury'
    end
{%- endmacro %}

{# 1 (budget) to 4 (luxury): the order of the bands of quartile_band, to compare two bands. #}
{% macro quartile_band_rank(band) -%}
    case {{ band }}
        when 'budget' then 1
        when 'core' then 2
        when 'premium' then 3
        when 'luxury' then 4
    end
{%- endmacro %}
