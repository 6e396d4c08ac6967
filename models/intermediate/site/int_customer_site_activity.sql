-- One row per customer with at least one counted site event at as_of (consent applied). The
-- days before as_of's day come from the daily rollup; as_of's own day from its events up to as_of
-- (macro customer_days_at_as_of).
-- A table: at a million customers, computing it once beats inlining it into every
-- model and test that reads it.
{{ config(materialized='table') }}
{%- set engaged_recent_days = var('segments__engaged_recent_days') %}
with

daily_activity as (
    select * from {{ ref('int_customer_daily_site_activity') }}
),

counted_events_until_as_of as (
    select * from {{ ref('int_site_events_counted') }}
    where is_counted
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
counted_daily_activity as (
    select daily_activity.*
    from daily_activity
    inner join customers
        on daily_activity.customer_id = customers.customer_id
    where
        not {{ requires_tracking_consent('customers.country_code', 'customers.is_country_code_known') }}
        or coalesce(customers.has_tracking_consent, false)
),

{{ customer_days_at_as_of(
    'counted_daily_activity',
    'counted_events_until_as_of',
    'as_of_point',
    day_measures=site_day_measures(),
    day_columns=site_day_columns(),
) }}

select
    customer_id,
    sum(
        case
            when {{ days_since('activity_date') }} <= {{ engaged_recent_days }}
                then site_events
            else 0
        end
    ) as site_events_recent,
    sum(
        case
            when {{ days_since('activity_date') }} <= {{ engaged_recent_days }}
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
