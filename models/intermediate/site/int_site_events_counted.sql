-- One row per staged site event of a known customer at or before as_of, with whether it may
-- count (docs/definitions.md §1): where consent is required (macro requires_tracking_consent) only customers
-- with tracking consent count.
-- A table, not a view: eight models read it. As a view each would join every site event to the
-- customers again, and inside site_sessions that join fed a wide per-session aggregate that could
-- not spill: at a million customers it needed more than the whole 4 GB cap beside another model.
{{ config(materialized='table') }}

with

site_events as (
    select * from {{ ref('stg_web__events') }}
    where customer_id is not null
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

events_with_consent as (
    select
        site_events.event_id,
        site_events.session_id,
        site_events.customer_id,
        site_events.event_type,
        site_events.product_id,
        site_events.occurred_at,
        {{ requires_tracking_consent('customers.country_code', 'customers.is_country_code_known') }}
            as requires_tracking_consent,
        coalesce(customers.has_tracking_consent, false) as has_tracking_consent,
        as_of_point.as_of
    from site_events
    inner join customers
        on site_events.customer_id = customers.customer_id
    cross join as_of_point
    where site_events.occurred_at <= as_of_point.as_of
)

select
    event_id,
    session_id,
    customer_id,
    event_type,
    product_id,
    occurred_at,
    requires_tracking_consent,
    has_tracking_consent,
    not requires_tracking_consent or has_tracking_consent as is_counted,
    {{ days_since('occurred_at') }} as days_since_event
from events_with_consent
