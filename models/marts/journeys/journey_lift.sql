-- One row per journey and month of entry, and one per journey for all mature months together
-- (grain: journey + entry_month; entry_month null on the all-months row): the customers who
-- entered in the treated and the holdout group, their conversion (a valid order within
-- lift_conversion_window_days of entering), orders and net revenue per entered customer, and the
-- lift of the treated over the holdout with its confidence interval. Conversion: two-sided
-- pooled two-proportion z-test, as in ab_test_results, and Newcombe's score interval (not the
-- Wald interval of ab_test_results: with a 10% holdout and low rates Wald is too narrow, and it
-- can exclude 0 while the test says not significant); revenue per customer: Welch's interval. The journey `all journeys` compares the global holdout with
-- everyone else over entries into any journey. A customer counts once per journey and month
-- (their first entry in it); a month is mature once its last possible entry's window has
-- passed at as_of, and only mature months add up to the all-months row.
with

entries as (
    select * from {{ ref('int_journey_entries') }}
),

journey_priorities as (
    select * from {{ ref('journey_priorities') }}
),

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

-- Each entry's group: held out of the journey (or of every journey), or treated. The one place
-- that assigns groups, so that it can read a precomputed holdout table instead.
entry_groups as (
    select
        entries.customer_id,
        entries.journey,
        entries.entry_key,
        entries.entered_at,
        case
            when {{ is_held_out('entries.customer_id', 'entries.journey', 'coalesce(journey_priorities.holdout_share, 0)') }}
                then 'holdout'
            else 'treated'
        end as holdout_group
    from entries
    left join journey_priorities
        on entries.journey = journey_priorities.journey
    union all
    select
        customer_id,
        'all journeys' as journey,
        {{ dbt.concat(['journey', "':'", 'entry_key']) }} as entry_key,
        entered_at,
        case when {{ is_in_global_holdout('customer_id') }} then 'holdout' else 'treated' end as holdout_group
    from entries
),

monthly_entries as (
    select
        *,
        cast({{ dbt.date_trunc('month', 'entered_at') }} as date) as entry_month,
        row_number() over (
            partition by journey, customer_id, cast({{ dbt.date_trunc('month', 'entered_at') }} as date)
            order by entered_at, entry_key
        ) as entry_in_month
    from entry_groups
),

counted_entries as (
    select * from monthly_entries
    where entry_in_month = 1
),

entry_outcomes as (
    -- An order at the instant of entry counts; one a full window later does not.
    select
        counted_entries.journey,
        counted_entries.customer_id,
        counted_entries.entry_month,
        counted_entries.holdout_group,
        count(valid_orders.order_id) as orders,
        coalesce(sum(valid_orders.net_revenue), 0) as net_revenue
    from counted_entries
    left join valid_orders
        on counted_entries.customer_id = valid_orders.customer_id
        and valid_orders.ordered_at >= counted_entries.entered_at
        and valid_orders.ordered_at
        < {{ dbt.dateadd('day', var('lift_conversion_window_days'), 'counted_entries.entered_at') }}
    group by
        counted_entries.journey,
        counted_entries.customer_id,
        counted_entries.entry_month,
        counted_entries.entry_key,
        counted_entries.holdout_group
),

monthly_sums as (
    select
        entry_outcomes.journey,
        entry_outcomes.entry_month,
        -- Mature: every entry of the month has had its whole window by as_of.
        {{ dbt.dateadd(
            'day', var('lift_conversion_window_days'),
            dbt.dateadd('month', 1, 'cast(entry_outcomes.entry_month as ' ~ dbt.type_timestamp() ~ ')'),
        ) }} <= max(as_of_point.as_of) as is_mature,
        {% for group in ['treated', 'holdout'] -%}
        sum(case when entry_outcomes.holdout_group = '{{ group }}' then 1 else 0 end) as {{ group }}_customers,
        sum(case when entry_outcomes.holdout_group = '{{ group }}' and entry_outcomes.orders > 0 then 1 else 0 end)
            as {{ group }}_conversions,
        sum(case when entry_outcomes.holdout_group = '{{ group }}' then entry_outcomes.orders else 0 end)
            as {{ group }}_orders,
        sum(case when entry_outcomes.holdout_group = '{{ group }}' then entry_outcomes.net_revenue else 0 end)
            as {{ group }}_revenue,
        sum(
            case
                when entry_outcomes.holdout_group = '{{ group }}'
                    then entry_outcomes.net_revenue * entry_outcomes.net_revenue
                else 0
            end
        ) as {{ group }}_revenue_squares{{ ',' if not loop.last }}
        {% endfor %}
    from entry_outcomes
    cross join as_of_point
    group by entry_outcomes.journey, entry_outcomes.entry_month
),

{% set sum_columns = [] -%}
{% for group in ['treated', 'holdout'] -%}
{% for measure in ['customers', 'conversions', 'orders', 'revenue', 'revenue_squares'] -%}
{% do sum_columns.append(group ~ '_' ~ measure) -%}
{% endfor -%}
{% endfor -%}
periods as (
    select
        journey,
        entry_month,
        false as is_all_months,
        is_mature,
        {{ sum_columns | join(',\n        ') }}
    from monthly_sums
    union all
    select
        journey,
        cast(null as date) as entry_month,
        true as is_all_months,
        true as is_mature,
        {% for column in sum_columns -%}
        sum(case when is_mature then {{ column }} else 0 end) as {{ column }}{{ ',' if not loop.last }}
        {% endfor %}
    from monthly_sums
    group by journey
),

rates as (
    select
        *,
        {% for group in ['treated', 'holdout'] -%}
        {{ safe_ratio(group ~ '_conversions', group ~ '_customers') }} as {{ group }}_conversion_rate,
        {{ safe_ratio(group ~ '_orders', group ~ '_customers') }} as {{ group }}_orders_per_customer,
        {{ safe_ratio(group ~ '_revenue', group ~ '_customers') }} as {{ group }}_revenue_per_customer,
        case
            when {{ group }}_customers > 1
                then ({{ group }}_revenue_squares - {{ group }}_revenue * {{ group }}_revenue / {{ group }}_customers)
                / ({{ group }}_customers - 1)
        end as {{ group }}_revenue_variance,
        {% endfor -%}
        {{ normal_quantile('1 - ' ~ var('lift_significance_level') ~ ' / 2.0') }} as critical_z
    from periods
),

standard_errors as (
    select
        *,
        {{ pooled_proportion_standard_error(
            'treated_conversion_rate', 'treated_customers', 'holdout_conversion_rate', 'holdout_customers'
        ) }} as pooled_standard_error,
        {% for group in ['treated', 'holdout'] -%}
        {% for side in ['lower', 'upper'] -%}
        {{ wilson_bound(group ~ '_conversion_rate', group ~ '_customers', 'critical_z', side) }}
            as {{ group }}_wilson_{{ side }},
        {% endfor -%}
        {% endfor -%}
        {{ welch_standard_error(
            'treated_revenue_variance', 'treated_customers', 'holdout_revenue_variance', 'holdout_customers'
        ) }} as revenue_standard_error,
        {{ welch_degrees_of_freedom(
            'treated_revenue_variance', 'treated_customers', 'holdout_revenue_variance', 'holdout_customers'
        ) }} as revenue_degrees_of_freedom
    from rates
),

lifts as (
    select
        *,
        treated_conversion_rate - holdout_conversion_rate as conversion_lift,
        case
            when pooled_standard_error > 0
                then (treated_conversion_rate - holdout_conversion_rate) / pooled_standard_error
        end as z_score,
        treated_revenue_per_customer - holdout_revenue_per_customer as revenue_per_customer_lift,
        -- Zero variance in both groups (nobody bought): no spread, the interval is the point.
        coalesce({{ student_t_quantile('critical_z', 'revenue_degrees_of_freedom') }}, critical_z)
            as critical_t
    from standard_errors
)

select
    cast(lifts.journey as {{ dbt.type_string() }}) as journey,
    cast(lifts.entry_month as date) as entry_month,
    cast(lifts.is_all_months as {{ dbt.type_boolean() }}) as is_all_months,
    cast(lifts.is_mature as {{ dbt.type_boolean() }}) as is_mature,
    cast(lifts.treated_customers as {{ dbt.type_bigint() }}) as treated_customers,
    cast(lifts.holdout_customers as {{ dbt.type_bigint() }}) as holdout_customers,
    cast(lifts.treated_conversions as {{ dbt.type_bigint() }}) as treated_conversions,
    cast(lifts.holdout_conversions as {{ dbt.type_bigint() }}) as holdout_conversions,
    cast(lifts.treated_conversion_rate as {{ type_double() }}) as treated_conversion_rate,
    cast(lifts.holdout_conversion_rate as {{ type_double() }}) as holdout_conversion_rate,
    cast(lifts.conversion_lift as {{ type_double() }}) as conversion_lift,
    cast({{ safe_ratio('lifts.conversion_lift', 'lifts.holdout_conversion_rate') }} as {{ type_double() }})
        as conversion_relative_lift,
    {% for side in ['lower', 'upper'] -%}
    cast({{ newcombe_bound(
        'lifts.treated_conversion_rate', 'lifts.treated_wilson_lower', 'lifts.treated_wilson_upper',
        'lifts.holdout_conversion_rate', 'lifts.holdout_wilson_lower', 'lifts.holdout_wilson_upper', side,
    ) }} as {{ type_double() }}) as conversion_lift_{{ side }},
    {% endfor -%}
    cast({{ two_sided_p_value('lifts.z_score') }} as {{ type_double() }}) as conversion_p_value,
    cast(lifts.treated_orders_per_customer as {{ type_double() }}) as treated_orders_per_customer,
    cast(lifts.holdout_orders_per_customer as {{ type_double() }}) as holdout_orders_per_customer,
    cast(lifts.treated_revenue_per_customer as {{ type_double() }}) as treated_revenue_per_customer,
    cast(lifts.holdout_revenue_per_customer as {{ type_double() }}) as holdout_revenue_per_customer,
    cast(lifts.revenue_per_customer_lift as {{ type_double() }}) as revenue_per_customer_lift,
    cast(lifts.revenue_per_customer_lift - lifts.critical_t * lifts.revenue_standard_error as {{ type_double() }})
        as revenue_per_customer_lift_lower,
    cast(lifts.revenue_per_customer_lift + lifts.critical_t * lifts.revenue_standard_error as {{ type_double() }})
        as revenue_per_customer_lift_upper,
    cast(
        (lifts.treated_orders_per_customer - lifts.holdout_orders_per_customer) * lifts.treated_customers
        as {{ type_double() }}
    ) as incremental_orders,
    cast(lifts.revenue_per_customer_lift * lifts.treated_customers as {{ type_double() }}) as incremental_revenue,
    cast(
        lifts.treated_customers >= {{ var('lift_min_sample_per_group') }}
        and lifts.holdout_customers >= {{ var('lift_min_sample_per_group') }}
        as {{ dbt.type_boolean() }}
    ) as has_min_sample,
    cast(as_of_point.as_of as {{ dbt.type_timestamp() }}) as as_of
from lifts
cross join as_of_point
