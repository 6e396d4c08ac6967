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

    {% for group in groups %}
    group_{{ loop.index }} as (
        select
            {{ string_literal(group) }} as group_value,
            coalesce(sum({{ count_column }}), 0) as counted
        from {{ model }}
        where {{ group_column }} = {{ string_literal(group) }}
    ),
    {% endfor %}

    counted as (
        {% for group in groups %}
        select group_value, counted from group_{{ loop.index }}
        {% if not loop.last %}union all{% endif %}
        {% endfor %}
    )

    select
        counted.group_value,
        counted.counted,
        expected.row_count
    from counted
    cross join expected
    where counted.counted <> expected.row_count
{% endtest %}
