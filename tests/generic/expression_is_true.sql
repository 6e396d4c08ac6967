{#
    Every row of the model satisfies a SQL boolean `expression`. On a column, the expression
    continues the column name (`expression: ">= 0"`). Returns the rows that do not; a NULL
    result counts as a failure only at model level (a NULL column value is not_null's business).
#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    {% if column_name is none -%}
        where not coalesce(({{ expression }}), false)
    {%- else -%}
        where {{ column_name }} is not null
            and not coalesce(({{ column_name }} {{ expression }}), false)
    {%- endif %}
{% endtest %}
