{#
    For a sampled audience: each segment has exactly as many rows with is_in_test_sample as its
    `expected_size_column` says. Returns the segments where the two differ.
#}
{% test sample_sizes_match(model, expected_size_column) %}
    select
        segment_name,
        max({{ expected_size_column }}) as expected_size,
        sum(case when is_in_test_sample then 1 else 0 end) as sampled
    from {{ model }}
    group by segment_name
    having max({{ expected_size_column }}) <> sum(case when is_in_test_sample then 1 else 0 end)
{% endtest %}
