{#
    The model has at most one row per combination of `columns` (a grain of several columns).
    Returns each combination that occurs more than once.
#}
{% test unique_combination(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
