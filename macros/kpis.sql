{#
    One program KPI for each period (program_kpis): the share of a cohort with an outcome, as
    numerator (members with the outcome) over denominator (members). Returns period, kpi,
    numerator, denominator; a period with no member has no row.

    `cohort_cte` holds one row per period and member, with column period. Without
    `outcome_events_cte` it also has has_outcome (1 or 0). With it, a member has the outcome when
    the customer has an event of `outcome_events_cte` (customer_id, `event_at`) in the member's
    outcome window: after `outcome_after`, until `outcome_until` inclusive (the cohort's columns;
    by default the period's period_start and period_end); `member_columns` (customer_id first)
    tell members apart within a period.
#}
{% macro kpi_rate(
    kpi,
    cohort_cte,
    outcome_events_cte=none,
    event_at='occurred_at',
    member_columns=['customer_id'],
    outcome_after='period_start',
    outcome_until='period_end'
) -%}
    select
        outcomes.period,
        {{ string_literal(kpi) }} as kpi,
        sum(outcomes.has_outcome) as numerator,
        count(*) as denominator
    from (
        {%- if outcome_events_cte is none %}
        select
            period,
            has_outcome
        from {{ cohort_cte }}
        {%- else %}
        select
            cohort.period,
            max(case when outcome_events.customer_id is not null then 1 else 0 end) as has_outcome
        from {{ cohort_cte }} as cohort
        left join {{ outcome_events_cte }} as outcome_events
            on cohort.customer_id = outcome_events.customer_id
            and cohort.{{ outcome_after }} < outcome_events.{{ event_at }}
            and cohort.{{ outcome_until }} >= outcome_events.{{ event_at }}
        group by
            cohort.period
            {%- for member_column in member_columns %},
            cohort.{{ member_column }}
            {%- endfor %}
        {%- endif %}
    ) as outcomes
    group by outcomes.period
{%- endmacro %}
