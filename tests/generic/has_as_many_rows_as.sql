{#
    The model has exactly as many rows as `compare_model` (filtered by `compare_where`; the
    model itself by the test's `where` config): for a model that keeps every row of another and
    adds columns, this catches a lost row and a repeated one (a join that fans out) with two
    counts, where a key test on tens of millions of rows hashes every key. Returns one row when
    the counts differ.
#}
{% test has_as_many_rows_as(model, compare_model, compare_where='1 = 1') %}
    with

    model_rows as (
        select count(*) as row_count from {{ model }}
    ),

    compare_rows as (
        select count(*) as row_count from {{ compare_model }}
        where {{ compare_where }}
    )

    select
        model_rows.row_count as model_row_count,
        compare_rows.row_count as compare_row_count
    from model_rows
    cross join compare_rows
    where model_rows.row_count <> compare_rows.row_count
{% endtest %}
