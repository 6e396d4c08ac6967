{#
    The RFM quintile score of a rank (docs/definitions.md §4). `rank_column` is rank() taken ascending by
    goodness, so tied values share a rank and therefore a score; ntile() would split them.
    score = least(5, 1 + floor(5 * (rank - 1) / n)), in integer arithmetic so that every engine
    floors the same exact quotient (Spark divides decimals, DuckDB doubles).
#}
{% macro rfm_score(rank_column, purchaser_count_column) -%}
    cast(
        least(5, 1 + {{ integer_divide('5 * (' ~ rank_column ~ ' - 1)', purchaser_count_column) }})
        as {{ dbt.type_int() }}
    )
{%- endmacro %}

{#
    The name of the first rule of a score map (seed with priority, r/f/m min and max) that a
    customer's scores fall in. Maps are data (seeds), so a store edits its segments in a CSV.
#}
{% macro first_matching_rule(scores_cte, rules_relation, name_column) -%}
    select
        scores.customer_id,
        rules.{{ name_column }},
        row_number() over (
            partition by scores.customer_id
            order by rules.priority
        ) as match_order
    from {{ scores_cte }} as scores
    inner join {{ rules_relation }} as rules
        on scores.r_score between rules.r_min and rules.r_max
        and scores.f_score between rules.f_min and rules.f_max
        and scores.m_score between rules.m_min and rules.m_max
{%- endmacro %}
