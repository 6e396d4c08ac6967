{#
    For a model that sums the rows of `compare_model` into `count_column` once per value of
    `group_column` (e.g. each recipient once per segment family): in every one of `groups`, the
    counts add up to exactly the rows of `compare_model`, so no row is lost or counted twice.
    Cheaper than a key test on the rows before summing, and it also catches a lost row. Returns
    the groups whose total differs, a missing group included.
#}
{% test counts_each_row_once_per_group(model, count_column, group_column, compare_model, groups) %}
    with

    expected as (
        select count(*) as row_count from {{ compare_model }}
    ),

    expected_groups as (
        {% for group in groups %}
        select {{ string_literal(group) }} as group_value
        {% if not loop.last %}union all{% endif %}
        {% endfor %}
    ),

    counted as (
        select
            {{ group_column }} as group_value,
            sum({{ count_column }}) as counted
        from {{ model }}
        group by {{ group_column }}
    )

    select
        expected_groups.group_value,
        coalesce(counted.counted, 0) as counted,
        expected.row_count
    from expected_groups
    left join counted
        on expected_groups.group_value = counted.group_value
    cross join expected
    where coalesce(counted.counted, 0) <> expected.row_count
{% endtest %}
