-- One row per customer that exists at as_of (created at or before it, or at an unknown time):
-- the order, email and site facts every segment is defined on (SPEC §3). Customers without any
-- activity have zero counts and NULL dates.
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
        customers_at_as_of.email,
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
        coalesce(email_activity.email_engagements_last_90d, 0) as email_engagements_last_90d,
        coalesce(email_activity.email_engagements_before_last_90d, 0) as email_engagements_before_last_90d,
        coalesce(email_activity.has_hard_bounced, false) as has_hard_bounced,
        coalesce(email_activity.has_unsubscribed, false) as has_unsubscribed,
        coalesce(email_activity.has_marked_as_spam, false) as has_marked_as_spam,
        coalesce(site_activity.site_events_last_90d, 0) as site_events_last_90d,
        coalesce(site_activity.product_views_last_90d, 0) as product_views_last_90d,
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
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(email as {{ dbt.type_string() }}) as email,
    cast(country_code as {{ dbt.type_string() }}) as country_code,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast({{ days_since('created_at') }} as {{ dbt.type_int() }}) as days_since_created,
    cast(email_consent as {{ dbt.type_string() }}) as email_consent,
    tracking_consent,
    requires_tracking_consent,
    cast(valid_orders as {{ dbt.type_int() }}) as valid_orders,
    cast(lifetime_net_revenue as {{ type_money() }}) as lifetime_net_revenue,
    cast(
        case when valid_orders > 0 then {{ divide_half_up('lifetime_net_revenue', 'valid_orders') }} end
        as {{ type_money() }}
    ) as aov,
    cast(largest_order_net_revenue as {{ type_money() }}) as largest_order_net_revenue,
    cast(first_order_at as {{ dbt.type_timestamp() }}) as first_order_at,
    cast(last_order_at as {{ dbt.type_timestamp() }}) as last_order_at,
    cast(days_since_last_order as {{ dbt.type_int() }}) as days_since_last_order,
    cast(orders_last_30d as {{ dbt.type_int() }}) as orders_last_30d,
    cast(orders_last_90d as {{ dbt.type_int() }}) as orders_last_90d,
    cast(orders_last_365d as {{ dbt.type_int() }}) as orders_last_365d,
    cast(avg_days_between_orders as {{ type_double() }}) as avg_days_between_orders,
    cast(emails_delivered as {{ dbt.type_int() }}) as emails_delivered,
    cast(human_opens as {{ dbt.type_int() }}) as human_opens,
    cast(machine_opens as {{ dbt.type_int() }}) as machine_opens,
    cast(clicks as {{ dbt.type_int() }}) as clicks,
    cast(last_email_delivered_at as {{ dbt.type_timestamp() }}) as last_email_delivered_at,
    cast(last_email_engaged_at as {{ dbt.type_timestamp() }}) as last_email_engaged_at,
    cast({{ days_since('last_email_engaged_at') }} as {{ dbt.type_int() }})
        as days_since_last_email_engagement,
    cast(email_engagements_last_90d as {{ dbt.type_int() }}) as email_engagements_last_90d,
    cast(email_engagements_before_last_90d as {{ dbt.type_int() }}) as email_engagements_before_last_90d,
    has_hard_bounced,
    has_unsubscribed,
    has_marked_as_spam,
    is_suppressed,
    email_consent = 'subscribed' and not is_suppressed as is_emailable,
    cast(site_events_last_90d as {{ dbt.type_int() }}) as site_events_last_90d,
    cast(product_views_last_90d as {{ dbt.type_int() }}) as product_views_last_90d,
    cast(last_site_event_at as {{ dbt.type_timestamp() }}) as last_site_event_at,
    cast(last_product_view_at as {{ dbt.type_timestamp() }}) as last_product_view_at,
    cast(last_add_to_cart_at as {{ dbt.type_timestamp() }}) as last_add_to_cart_at,
    cast(last_checkout_started_at as {{ dbt.type_timestamp() }}) as last_checkout_started_at,
    cast(last_shopping_event_at as {{ dbt.type_timestamp() }}) as last_shopping_event_at,
    cast({{ days_since('last_shopping_event_at') }} as {{ dbt.type_int() }})
        as days_since_last_shopping_event,
    cast(last_engaged_at as {{ dbt.type_timestamp() }}) as last_engaged_at,
    cast({{ days_since('last_engaged_at') }} as {{ dbt.type_int() }})
        as days_since_last_engagement,
    {{ reporting_currency_column() }},
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from with_derived
