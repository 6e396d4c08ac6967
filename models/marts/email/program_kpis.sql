-- One row per program KPI of the case study (grain: kpi): open rate, abandoned-cart recovery,
-- VIP repurchase and dormant reactivation, for a before and an after period (vars kpi_*_days_ago,
-- a period = the instants in (start, end]), with the change. Carts whose recovery window would
-- end after as_of are left out (their outcome is not known yet); opens count human opens only.
with

orders as (
    select * from {{ ref('int_orders') }}
),

email_events as (
    select * from {{ ref('int_email_events_classified') }}
),

site_events as (
    select * from {{ ref('int_site_events_counted') }}
),

site_sessions as (
    select * from {{ ref('site_sessions') }}
),

recipients as (
    select * from {{ ref('int_email_recipients') }}
),

kpi_catalog as (
    select * from {{ ref('program_kpi_catalog') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

periods as (
    select
        'before' as period,
        {{ dbt.dateadd('day', -1 * var('segments__kpi_before_start_days_ago'), 'as_of') }} as period_start,
        {{ dbt.dateadd('day', -1 * var('segments__kpi_before_end_days_ago'), 'as_of') }} as period_end,
        as_of
    from as_of_point
    union all
    select
        'after' as period,
        {{ dbt.dateadd('day', -1 * var('segments__kpi_after_start_days_ago'), 'as_of') }} as period_start,
        {{ dbt.dateadd('day', -1 * var('segments__kpi_after_end_days_ago'), 'as_of') }} as period_end,
        as_of
    from as_of_point
),

valid_orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        net_revenue
    from orders
    where is_valid_order
),

counted_site_events as (
    select * from site_events
    where is_counted
),

-- Each KPI is the share of a cohort with an outcome (macro kpi_rate).
-- KPI 1: human open rate of the deliveries sent in the period.
deliveries_in_period as (
    select
        periods.period,
        case when recipients.has_human_open then 1 else 0 end as has_outcome
    from periods
    inner join recipients
        on periods.period_start < recipients.sent_at
        and periods.period_end >= recipients.sent_at
    where recipients.is_delivered
),

open_rate as (
    {{ kpi_rate('open_rate', 'deliveries_in_period') }}
),

-- KPI 2: the abandoned carts of journey_abandoned_cart (macro abandoned_carts), recovered by a
-- valid order within cart_recovery_window_days.
abandoned_carts as (
    {{ abandoned_carts('site_sessions') }}
),

cart_recovery_windows as (
    select
        customer_id,
        session_id,
        abandoned_at,
        {{ dbt.dateadd('day', var('segments__cart_recovery_window_days'), 'abandoned_at') }} as recovery_window_end
    from abandoned_carts
),

carts_in_period as (
    select
        periods.period,
        cart_recovery_windows.*
    from periods
    inner join cart_recovery_windows
        on periods.period_start < cart_recovery_windows.abandoned_at
        and periods.period_end >= cart_recovery_windows.abandoned_at
        -- The cart's recovery window must have ended by as_of.
        and periods.as_of >= cart_recovery_windows.recovery_window_end
),

cart_recovery as (
    {{ kpi_rate(
        'abandoned_cart_recovery_rate',
        'carts_in_period',
        outcome_events_cte='valid_orders',
        event_at='ordered_at',
        member_columns=['customer_id', 'session_id'],
        outcome_after='abandoned_at',
        outcome_until='recovery_window_end',
    ) }}
),

-- KPI 3: VIPs at the period start (the lifecycle VIP rule of customer_lifecycle, macro
-- vip_status, taken at that instant: days counted from the order's date to the period start's
-- date) who order again in the period.
orders_before_start as (
    select
        periods.period,
        periods.period_start,
        periods.period_end,
        valid_orders.customer_id,
        valid_orders.net_revenue,
        {{ days_since('valid_orders.ordered_at', 'periods.period_start') }}
            as days_before_start
    from periods
    inner join valid_orders
        on periods.period_start >= valid_orders.ordered_at
),

vip_status_at_start as (
    {{ vip_status(
        'orders_before_start',
        'days_before_start',
        'net_revenue',
        key_columns=['period', 'period_start', 'period_end'],
    ) }}
),

vips_at_start as (
    select * from vip_status_at_start
    where is_vip
),

vip_repurchase as (
    {{ kpi_rate('vip_repurchase_rate', 'vips_at_start', outcome_events_cte='valid_orders', event_at='ordered_at') }}
),

-- KPI 4: customers active once, inactive for dormant_inactive_days at the period start, who
-- are active again in the period.
activity as (
    select
        customer_id,
        occurred_at
    from email_events
    where is_email_engagement
    union all
    select
        customer_id,
        occurred_at
    from counted_site_events
    union all
    select
        customer_id,
        ordered_at as occurred_at
    from valid_orders
),

last_activity_at_start as (
    select
        periods.period,
        periods.period_start,
        periods.period_end,
        activity.customer_id,
        max(activity.occurred_at) as last_active_at
    from periods
    inner join activity
        on periods.period_start >= activity.occurred_at
    group by periods.period, periods.period_start, periods.period_end, activity.customer_id
),

dormant_at_start as (
    select * from last_activity_at_start
    where last_active_at <= {{ dbt.dateadd('day', -1 * var('segments__dormant_inactive_days'), 'period_start') }}
),

dormant_reactivation as (
    {{ kpi_rate(
        'dormant_reactivation_rate',
        'dormant_at_start',
        outcome_events_cte='activity',
        event_at='occurred_at',
    ) }}
),

kpi_values as (
    select * from open_rate
    union all
    select * from cart_recovery
    union all
    select * from vip_repurchase
    union all
    select * from dormant_reactivation
),

before_and_after as (
    select
        kpi_catalog.kpi,
        kpi_catalog.sort_order,
        kpi_catalog.kpi_label,
        kpi_catalog.definition,
        kpi_catalog.case_study_before,
        kpi_catalog.case_study_after,
        before_period.period_start as before_period_start,
        before_period.period_end as before_period_end,
        after_period.period_start as after_period_start,
        after_period.period_end as after_period_end,
        after_period.as_of,
        coalesce(before_value.numerator, 0) as before_numerator,
        coalesce(before_value.denominator, 0) as before_denominator,
        coalesce(after_value.numerator, 0) as after_numerator,
        coalesce(after_value.denominator, 0) as after_denominator,
        {{ safe_ratio('before_value.numerator', 'before_value.denominator') }} as before_rate,
        {{ safe_ratio('after_value.numerator', 'after_value.denominator') }} as after_rate
    from kpi_catalog
    inner join periods as before_period
        on before_period.period = 'before'
    inner join periods as after_period
        on after_period.period = 'after'
    left join kpi_values as before_value
        on kpi_catalog.kpi = before_value.kpi
        and before_value.period = 'before'
    left join kpi_values as after_value
        on kpi_catalog.kpi = after_value.kpi
        and after_value.period = 'after'
)

select
    cast(kpi as {{ dbt.type_string() }}) as kpi,
    cast(sort_order as {{ dbt.type_int() }}) as sort_order,
    cast(kpi_label as {{ dbt.type_string() }}) as kpi_label,
    cast(definition as {{ dbt.type_string() }}) as definition,
    cast(before_period_start as {{ dbt.type_timestamp() }}) as before_period_start,
    cast(before_period_end as {{ dbt.type_timestamp() }}) as before_period_end,
    cast(before_numerator as {{ dbt.type_int() }}) as before_numerator,
    cast(before_denominator as {{ dbt.type_int() }}) as before_denominator,
    cast(before_rate as {{ type_double() }}) as before_rate,
    cast(after_period_start as {{ dbt.type_timestamp() }}) as after_period_start,
    cast(after_period_end as {{ dbt.type_timestamp() }}) as after_period_end,
    cast(after_numerator as {{ dbt.type_int() }}) as after_numerator,
    cast(after_denominator as {{ dbt.type_int() }}) as after_denominator,
    cast(after_rate as {{ type_double() }}) as after_rate,
    cast(after_rate - before_rate as {{ type_double() }}) as absolute_change,
    cast({{ safe_ratio('after_rate - before_rate', 'before_rate') }} as {{ type_double() }}) as relative_change,
    cast(case_study_before as {{ type_double() }}) as case_study_before,
    cast(case_study_after as {{ type_double() }}) as case_study_after,
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from before_and_after
