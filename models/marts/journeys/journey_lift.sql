-- One row per journey and month of entry, and one per journey for all mature months together
-- (grain: journey + entry_month; entry_month null on the all-months row): the customers who
-- entered in the treated and the holdout group, their conversion (a valid order within
-- lift_conversion_window_days of entering), orders and net revenue per entered customer, and the
-- lift of the treated over the holdout with its confidence interval. Conversion: two-sided
-- pooled two-proportion z-test, as in ab_test_results, and Newcombe's score interval (not the
-- Wald interval of ab_test_results: with a 10% holdout and low rates Wald is too narrow, and it
-- can exclude 0 while the test says not significant); revenue per customer: Welch's interval.
-- The journey `all journeys` compares the global holdout with everyone else over entries into
-- any journey. A customer counts once per journey and month
-- (their first entry in it); a month is mature once its last possible entry's window has
-- passed at as_of, and only mature months add up to the all-months row.
with

entries as (
    select * from {{ ref('journey_entries') }}
),

journey_holdouts as (
    select * from {{ ref('int_journey_holdouts') }}
),

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

-- Each entry's group, read from the one assignment every journey model reads: held out of the
-- journey (or of every journey), or treated. A customer without a row (a journey missing from
-- journey_priorities) is treated, as in the journey models.
entry_groups as (
    select
        entries.customer_id,
        entries.journey,
        entries.entry_key,
        entries.entered_at,
        coalesce(journey_holdouts.holdout_group, 'treated') as holdout_group
    from entries
    left join journey_holdouts
        on entries.customer_id = journey_holdouts.customer_id
        and entries.journey = journey_holdouts.journey
    union all
    select
        entries.customer_id,
        'all journeys' as journey,
        {{ dbt.concat(['entries.journey', "':'", 'entries.entry_key']) }} as entry_key,
        entries.entered_at,
        coalesce(global_holdouts.holdout_group, 'treated') as holdout_group
    from entries
    left join journey_holdouts as global_holdouts
        on entries.customer_id = global_holdouts.customer_id
        and global_holdouts.journey = 'all'
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
        and counted_entries.entered_at <= valid_orders.ordered_at
        and valid_orders.ordered_at
        < {{ dbt.dateadd('day', var('segments__lift_conversion_window_days'), 'counted_entries.entered_at') }}
    group by
        counted_entries.journey,
        counted_entries.customer_id,
        counted_entries.entry_month,
        counted_entries.entry_key,
        counted_entries.holdout_group
),

entry_measures as (
    -- One column per group and measure, so that months and the total are plain sums.
    select
        entry_outcomes.journey,
        entry_outcomes.entry_month,
        case when entry_outcomes.holdout_group = 'treated' then 1 else 0 end as treated_customers,
        case when entry_outcomes.holdout_group = 'treated' and entry_outcomes.orders > 0 then 1 else 0 end
            as treated_conversions,
        case when entry_outcomes.holdout_group = 'treated' then entry_outcomes.orders else 0 end as treated_orders,
        case
            when entry_outcomes.holdout_group = 'treated' then entry_outcomes.net_revenue else 0
        end as treated_revenue,
        case
            when entry_outcomes.holdout_group = 'treated' then entry_outcomes.net_revenue * entry_outcomes.net_revenue
            else 0
        end as treated_revenue_squares,
        case when entry_outcomes.holdout_group = 'holdout' then 1 else 0 end as holdout_customers,
        case when entry_outcomes.holdout_group = 'holdout' and entry_outcomes.orders > 0 then 1 else 0 end
            as holdout_conversions,
        case when entry_outcomes.holdout_group = 'holdout' then entry_outcomes.orders else 0 end as holdout_orders,
        case
            when entry_outcomes.holdout_group = 'holdout' then entry_outcomes.net_revenue else 0
        end as holdout_revenue,
        case
            when entry_outcomes.holdout_group = 'holdout' then entry_outcomes.net_revenue * entry_outcomes.net_revenue
            else 0
        end as holdout_revenue_squares
    from entry_outcomes
),

monthly_sums as (
    select
        entry_measures.journey,
        entry_measures.entry_month,
        -- Mature: every entry of the month has had its whole window by as_of.
        {{ dbt.dateadd(
            'day', var('segments__lift_conversion_window_days'),
            dbt.dateadd('month', 1, 'cast(entry_measures.entry_month as ' ~ dbt.type_timestamp() ~ ')'),
        ) }} <= max(as_of_point.as_of) as is_mature,
        sum(entry_measures.treated_customers) as treated_customers,
        sum(entry_measures.treated_conversions) as treated_conversions,
        sum(entry_measures.treated_orders) as treated_orders,
        sum(entry_measures.treated_revenue) as treated_revenue,
        sum(entry_measures.treated_revenue_squares) as treated_revenue_squares,
        sum(entry_measures.holdout_customers) as holdout_customers,
        sum(entry_measures.holdout_conversions) as holdout_conversions,
        sum(entry_measures.holdout_orders) as holdout_orders,
        sum(entry_measures.holdout_revenue) as holdout_revenue,
        sum(entry_measures.holdout_revenue_squares) as holdout_revenue_squares
    from entry_measures
    cross join as_of_point
    group by entry_measures.journey, entry_measures.entry_month
),

periods as (
    select
        journey,
        entry_month,
        false as is_all_months,
        is_mature,
        treated_customers,
        treated_conversions,
        treated_orders,
        treated_revenue,
        treated_revenue_squares,
        holdout_customers,
        holdout_conversions,
        holdout_orders,
        holdout_revenue,
        holdout_revenue_squares
    from monthly_sums
    union all
    select
        journey,
        cast(null as date) as entry_month,
        true as is_all_months,
        true as is_mature,
        sum(case when is_mature then treated_customers else 0 end) as treated_customers,
        sum(case when is_mature then treated_conversions else 0 end) as treated_conversions,
        sum(case when is_mature then treated_orders else 0 end) as treated_orders,
        sum(case when is_mature then treated_revenue else 0 end) as treated_revenue,
        sum(case when is_mature then treated_revenue_squares else 0 end) as treated_revenue_squares,
        sum(case when is_mature then holdout_customers else 0 end) as holdout_customers,
        sum(case when is_mature then holdout_conversions else 0 end) as holdout_conversions,
        sum(case when is_mature then holdout_orders else 0 end) as holdout_orders,
        sum(case when is_mature then holdout_revenue else 0 end) as holdout_revenue,
        sum(case when is_mature then holdout_revenue_squares else 0 end) as holdout_revenue_squares
    from monthly_sums
    group by journey
),

rates as (
    select
        *,
        {{ safe_ratio('treated_conversions', 'treated_customers') }} as treated_conversion_rate,
        {{ safe_ratio('treated_orders', 'treated_customers') }} as treated_orders_per_customer,
        {{ safe_ratio('treated_revenue', 'treated_customers') }} as treated_revenue_per_customer,
        -- The square over n in double: Spark divides decimals to 6 places.
        case
            when treated_customers > 1
                then
                    (
                        treated_revenue_squares
                        - cast(treated_revenue * treated_revenue as {{ type_double() }}) / treated_customers
                    )
                    / (treated_customers - 1)
        end as treated_revenue_variance,
        {{ safe_ratio('holdout_conversions', 'holdout_customers') }} as holdout_conversion_rate,
        {{ safe_ratio('holdout_orders', 'holdout_customers') }} as holdout_orders_per_customer,
        {{ safe_ratio('holdout_revenue', 'holdout_customers') }} as holdout_revenue_per_customer,
        case
            when holdout_customers > 1
                then
                    (
                        holdout_revenue_squares
                        - cast(holdout_revenue * holdout_revenue as {{ type_double() }}) / holdout_customers
                    )
                    / (holdout_customers - 1)
        end as holdout_revenue_variance,
        {{ normal_quantile('1 - ' ~ var('segments__lift_significance_level') ~ ' / 2.0') }} as critical_z
    from periods
),

standard_errors as (
    select
        *,
        {{ pooled_proportion_standard_error(
            'treated_conversion_rate', 'treated_customers', 'holdout_conversion_rate', 'holdout_customers'
        ) }} as pooled_standard_error,
        {{ wilson_bound('treated_conversion_rate', 'treated_customers', 'critical_z', 'lower') }}
            as treated_wilson_lower,
        {{ wilson_bound('treated_conversion_rate', 'treated_customers', 'critical_z', 'upper') }}
            as treated_wilson_upper,
        {{ wilson_bound('holdout_conversion_rate', 'holdout_customers', 'critical_z', 'lower') }}
            as holdout_wilson_lower,
        {{ wilson_bound('holdout_conversion_rate', 'holdout_customers', 'critical_z', 'upper') }}
            as holdout_wilson_upper,
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
    cast({{ newcombe_bound(
        'lifts.treated_conversion_rate', 'lifts.treated_wilson_lower', 'lifts.treated_wilson_upper',
        'lifts.holdout_conversion_rate', 'lifts.holdout_wilson_lower', 'lifts.holdout_wilson_upper', 'lower',
    ) }} as {{ type_double() }}) as conversion_lift_lower,
    cast({{ newcombe_bound(
        'lifts.treated_conversion_rate', 'lifts.treated_wilson_lower', 'lifts.treated_wilson_upper',
        'lifts.holdout_conversion_rate', 'lifts.holdout_wilson_lower', 'lifts.holdout_wilson_upper', 'upper',
    ) }} as {{ type_double() }}) as conversion_lift_upper,
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
        lifts.treated_customers >= {{ var('segments__lift_min_sample_per_group') }}
        and lifts.holdout_customers >= {{ var('segments__lift_min_sample_per_group') }}
        as {{ dbt.type_boolean() }}
    ) as has_min_sample,
    cast(as_of_point.as_of as {{ dbt.type_timestamp() }}) as as_of
from lifts
cross join as_of_point
