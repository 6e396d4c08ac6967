-- One row per customer that exists at as_of (created at or before it, or at an unknown time):
-- the order, email and site facts every segment is defined on (docs/definitions.md §3). Customers without any
-- activity have zero counts and NULL dates. customer_facts exposes it under its contract; the
-- intermediate models that build on the facts (persona flags, AOV bands, send eligibility) read
-- it here, so the graph runs staging -> intermediate -> marts.
-- A table: the send eligibility view under every journey and the persona flags read
-- it, and at a million customers joining the three rollups once beats joining them per reader.
{{ config(materialized='table') }}
with

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

order_activity as (
    select * from {{ ref('int_customer_orders') }}
),

email_activity as (
    select * from {{ ref('int_customer_email_activity') }}
),

site_activity as (
    select * from {{ ref('int_customer_site_activity') }}
),

customers_at_as_of as (
    select
        customers.*,
        as_of_point.as_of
    from customers
    cross join as_of_point
    -- A customer whose sign-up time was implausible (nulled in staging) exists too: their
    -- orders and events count, they are just neither new nor old.
    where customers.created_at <= as_of_point.as_of or customers.created_at is null
),

joined as (
    select
        customers_at_as_of.customer_id,
        customers_at_as_of.country_code,
        customers_at_as_of.created_at,
        customers_at_as_of.email_consent,
        coalesce(customers_at_as_of.has_tracking_consent, false) as tracking_consent,
        {{ requires_tracking_consent('customers_at_as_of.country_code', 'customers_at_as_of.is_country_code_known') }}
            as requires_tracking_consent,
        customers_at_as_of.as_of,
        coalesce(order_activity.valid_orders, 0) as valid_orders,
        coalesce(order_activity.lifetime_net_revenue, 0) as lifetime_net_revenue,
        order_activity.largest_order_net_revenue,
        order_activity.first_order_at,
        order_activity.last_order_at,
        order_activity.days_since_last_order,
        coalesce(order_activity.orders_last_30d, 0) as orders_last_30d,
        coalesce(order_activity.orders_last_90d, 0) as orders_last_90d,
        coalesce(order_activity.orders_last_365d, 0) as orders_last_365d,
        order_activity.avg_days_between_orders,
        coalesce(email_activity.emails_delivered, 0) as emails_delivered,
        coalesce(email_activity.human_opens, 0) as human_opens,
        coalesce(email_activity.machine_opens, 0) as machine_opens,
        coalesce(email_activity.clicks, 0) as clicks,
        email_activity.last_email_delivered_at,
        email_activity.last_email_engaged_at,
        coalesce(email_activity.email_engagements_recent, 0) as email_engagements_recent,
        coalesce(email_activity.email_engagements_before_recent, 0) as email_engagements_before_recent,
        coalesce(email_activity.has_hard_bounced, false) as has_hard_bounced,
        coalesce(email_activity.has_unsubscribed, false) as has_unsubscribed,
        coalesce(email_activity.has_marked_as_spam, false) as has_marked_as_spam,
        coalesce(site_activity.site_events_recent, 0) as site_events_recent,
        coalesce(site_activity.product_views_recent, 0) as product_views_recent,
        site_activity.last_site_event_at,
        site_activity.last_product_view_at,
        site_activity.last_add_to_cart_at,
        site_activity.last_checkout_started_at,
        site_activity.last_shopping_event_at
    from customers_at_as_of
    left join order_activity
        on customers_at_as_of.customer_id = order_activity.customer_id
    left join email_activity
        on customers_at_as_of.customer_id = email_activity.customer_id
    left join site_activity
        on customers_at_as_of.customer_id = site_activity.customer_id
),

with_derived as (
    select
        *,
        has_hard_bounced or has_unsubscribed or has_marked_as_spam as is_suppressed,
        {{ latest_of('last_email_engaged_at', 'last_site_event_at') }} as last_engaged_at
    from joined
)

select
    customer_id,
    country_code,
    created_at,
    {{ days_since('created_at') }} as days_since_created,
    email_consent,
    tracking_consent,
    requires_tracking_consent,
    valid_orders,
    lifetime_net_revenue,
    case
        when valid_orders > 0 then {{ divide_half_up('lifetime_net_revenue', 'valid_orders') }}
    end as aov,
    largest_order_net_revenue,
    first_order_at,
    last_order_at,
    days_since_last_order,
    orders_last_30d,
    orders_last_90d,
    orders_last_365d,
    avg_days_between_orders,
    emails_delivered,
    human_opens,
    machine_opens,
    clicks,
    last_email_delivered_at,
    last_email_engaged_at,
    {{ days_since('last_email_engaged_at') }}
        as days_since_last_email_engagement,
    email_engagements_recent,
    email_engagements_before_recent,
    has_hard_bounced,
    has_unsubscribed,
    has_marked_as_spam,
    is_suppressed,
    email_consent = 'subscribed' and not is_suppressed as is_emailable,
    site_events_recent,
    product_views_recent,
    last_site_event_at,
    last_product_view_at,
    last_add_to_cart_at,
    last_checkout_started_at,
    last_shopping_event_at,
    {{ days_since('last_shopping_event_at') }}
        as days_since_last_shopping_event,
    last_engaged_at,
    {{ days_since('last_engaged_at') }} as days_since_last_engagement,
    {{ reporting_currency_column() }},
    as_of
from with_derived
