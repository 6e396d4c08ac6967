-- One row per customer with 2+ valid orders at as_of: the customer's rhythm (median days
-- between consecutive orders, usual weekday), when the next order is expected, how many
-- intervals have passed without it (cycles_missed) and the status that follows, plus the
-- customer's AOV band. Customers with fewer than two orders have no rhythm and are not here.
with

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

customer_facts as (
    select * from {{ ref('customer_facts') }}
    where valid_orders >= 2
),

aov_bands as (
    select * from {{ ref('int_customer_aov_bands') }}
),

customer_orders as (
    select
        valid_orders.customer_id,
        valid_orders.order_id,
        valid_orders.ordered_at,
        {{ iso_day_of_week('valid_orders.ordered_at') }} as order_weekday,
        lag(valid_orders.ordered_at) over (
            partition by valid_orders.customer_id
            order by valid_orders.ordered_at, valid_orders.order_id
        ) as previous_ordered_at
    from valid_orders
    inner join customer_facts
        on valid_orders.customer_id = customer_facts.customer_id
),

order_intervals as (
    select
        customer_id,
        {{ dbt.datediff('previous_ordered_at', 'ordered_at', 'day') }}
            as days_between_orders
    from customer_orders
    where previous_ordered_at is not null
),

-- The median is taken by position (the middle interval, or the mean of the two middle ones:
-- what percentile_cont(0.5) gives) rather than by a grouped percentile aggregate, which
-- DuckDB computes several times slower over 400k customers.
ranked_intervals as (
    select
        customer_id,
        days_between_orders,
        row_number() over (partition by customer_id order by days_between_orders) as interval_position,
        count(*) over (partition by customer_id) as customer_intervals
    from order_intervals
),

intervals as (
    select
        customer_id,
        avg(cast(days_between_orders as {{ type_double() }})) as median_days_between_orders
    from ranked_intervals
    where
        interval_position in (
            {{ integer_divide('customer_intervals + 1', 2) }},
            {{ integer_divide('customer_intervals + 2', 2) }}
        )
    group by customer_id
),

weekday_counts as (
    select
        customer_id,
        order_weekday,
        count(*) as orders_on_weekday,
        max(ordered_at) as last_order_on_weekday
    from customer_orders
    group by customer_id, order_weekday
),

usual_weekdays as (
    select
        customer_id,
        order_weekday as usual_weekday,
        -- Ties go to the weekday of the most recent order.
        row_number() over (
            partition by customer_id
            order by orders_on_weekday desc, last_order_on_weekday desc
        ) as weekday_rank
    from weekday_counts
),

cadence as (
    select
        customer_facts.customer_id,
        customer_facts.valid_orders,
        customer_facts.last_order_at,
        customer_facts.days_since_last_order,
        customer_facts.as_of,
        intervals.median_days_between_orders,
        case
            when intervals.median_days_between_orders < {{ var('segments__cadence_min_interval_days') }}
                then {{ var('segments__cadence_min_interval_days') }}
            else intervals.median_days_between_orders
        end as typical_days_between_orders,
        usual_weekdays.usual_weekday,
        -- The day before the usual weekday (Monday -> Sunday).
        case when usual_weekdays.usual_weekday = 1 then 7 else usual_weekdays.usual_weekday - 1 end
            as preferred_send_weekday,
        {{ iso_day_of_week('customer_facts.as_of') }} as as_of_weekday,
        aov_bands.aov,
        aov_bands.aov_band
    from customer_facts
    inner join intervals
        on customer_facts.customer_id = intervals.customer_id
    inner join usual_weekdays
        on customer_facts.customer_id = usual_weekdays.customer_id
        and usual_weekdays.weekday_rank = 1
    left join aov_bands
        on customer_facts.customer_id = aov_bands.customer_id
),

measured as (
    select
        *,
        cast(days_since_last_order as {{ type_double() }}) / typical_days_between_orders as cycles_missed,
        {{ dbt.dateadd('day', 'round(typical_days_between_orders)', 'last_order_at') }} as expected_next_order_at,
        -- The preferred weekday at preferred_send_hour on as_of's date or up to 6 days later.
        {{ dbt.dateadd(
            'hour',
            var('segments__preferred_send_hour'),
            dbt.dateadd(
                'day',
                '(preferred_send_weekday - as_of_weekday + 7) % 7',
                dbt.date_trunc('day', 'as_of')
            )
        ) }} as preferred_send_candidate_at
    from cadence
)

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(valid_orders as {{ dbt.type_int() }}) as valid_orders,
    cast(last_order_at as {{ dbt.type_timestamp() }}) as last_order_at,
    cast(days_since_last_order as {{ dbt.type_int() }}) as days_since_last_order,
    cast(median_days_between_orders as {{ type_double() }}) as median_days_between_orders,
    cast(typical_days_between_orders as {{ type_double() }}) as typical_days_between_orders,
    cast(expected_next_order_at as {{ dbt.type_timestamp() }}) as expected_next_order_at,
    cast(cycles_missed as {{ type_double() }}) as cycles_missed,
    cast(
        case
            when days_since_last_order > {{ var('segments__churn_after_days') }} then 'churned'
            when cycles_missed > {{ var('segments__churn_after_cycles') }} then 'churned'
            when cycles_missed > {{ var('segments__cadence_high_risk_cycles') }} then 'high_risk'
            when cycles_missed > {{ var('segments__cadence_skipped_once_cycles') }} then 'skipped_once'
            else 'on_track'
        end as {{ dbt.type_string() }}
    ) as cadence_status,
    cast(usual_weekday as {{ dbt.type_int() }}) as usual_weekday,
    cast({{ iso_weekday_name('usual_weekday') }} as {{ dbt.type_string() }}) as usual_weekday_name,
    cast({{ iso_weekday_name('preferred_send_weekday') }} as {{ dbt.type_string() }}) as preferred_send_weekday_name,
    -- The next such instant strictly after as_of.
    cast(
        case
            when preferred_send_candidate_at > as_of then preferred_send_candidate_at
            else {{ dbt.dateadd('day', 7, 'preferred_send_candidate_at') }}
        end as {{ dbt.type_timestamp() }}
    ) as preferred_send_at,
    cast(aov as {{ type_money() }}) as aov,
    cast(aov_band as {{ dbt.type_string() }}) as aov_band,
    {{ reporting_currency_column() }},
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from measured
