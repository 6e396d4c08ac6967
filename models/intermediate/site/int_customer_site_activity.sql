-- One row per customer with at least one counted site event at as_of (consent applied). The
-- days before as_of's day come from the daily rollup; as_of's own day from its events up to as_of.
-- A table: at a million customers, computing it once beats inlining it into every
-- model and test that reads it.
{{ config(materialized='table') }}
with

daily_activity as (
    select * from {{ ref('int_customer_daily_site_activity') }}
),

events_until_as_of as (
    select * from {{ ref('int_site_events_counted') }}
),

customers as (
    select
        customer_id,
        country_code,
        is_country_code_known,
        has_tracking_consent
    from {{ ref('stg_shop__customers') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

-- Tracking consent (docs/definitions.md §1) is the customer's, so it applies to whole days.
counted_days_before_as_of as (
    select daily_activity.*
    from daily_activity
    inner join customers
        on daily_activity.customer_id = customers.customer_id
    cross join as_of_point
    where
        daily_activity.activity_date < cast(as_of_point.as_of as date)
        and (
            not {{ requires_tracking_consent('customers.country_code', 'customers.is_country_code_known') }}
            or coalesce(customers.has_tracking_consent, false)
        )
),

day_of_as_of as (
    select
        events_until_as_of.customer_id,
        cast(events_until_as_of.occurred_at as date) as activity_date,
        {{ site_day_measures() }}
    from events_until_as_of
    cross join as_of_point
    where
        events_until_as_of.is_counted
        and cast(events_until_as_of.occurred_at as date) = cast(as_of_point.as_of as date)
    group by events_until_as_of.customer_id, cast(events_until_as_of.occurred_at as date)
),

customer_days as (
    select {{ site_day_columns() }} from counted_days_before_as_of
    union all
    select {{ site_day_columns() }} from day_of_as_of
),

customer_days_at_as_of as (
    select
        customer_days.*,
        as_of_point.as_of
    from customer_days
    cross join as_of_point
)

select
    customer_id,
    sum(
        case
            when {{ days_since('activity_date') }} <= {{ var('engaged_recent_days') }}
                then site_events
            else 0
        end
    ) as site_events_recent,
    sum(
        case
            when {{ days_since('activity_date') }} <= {{ var('engaged_recent_days') }}
                then product_views
            else 0
        end
    ) as product_views_recent,
    max(last_site_event_at) as last_site_event_at,
    max(last_product_view_at) as last_product_view_at,
    max(last_add_to_cart_at) as last_add_to_cart_at,
    max(last_checkout_started_at) as last_checkout_started_at,
    max(last_shopping_event_at) as last_shopping_event_at
from customer_days_at_as_of
group by customer_id
