-- One row per customer that exists at as_of: the facts of int_customer_facts under this
-- table's contract (the casts give every engine the documented types).
with

customer_facts as (
    select * from {{ ref('int_customer_facts') }}
)

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(country_code as {{ dbt.type_string() }}) as country_code,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(days_since_created as {{ dbt.type_int() }}) as days_since_created,
    cast(email_consent as {{ dbt.type_string() }}) as email_consent,
    tracking_consent,
    requires_tracking_consent,
    cast(valid_orders as {{ dbt.type_int() }}) as valid_orders,
    cast(lifetime_net_revenue as {{ type_money() }}) as lifetime_net_revenue,
    cast(aov as {{ type_money() }}) as aov,
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
    cast(days_since_last_email_engagement as {{ dbt.type_int() }}) as days_since_last_email_engagement,
    cast(email_engagements_recent as {{ dbt.type_int() }}) as email_engagements_recent,
    cast(email_engagements_before_recent as {{ dbt.type_int() }}) as email_engagements_before_recent,
    has_hard_bounced,
    has_unsubscribed,
    has_marked_as_spam,
    is_suppressed,
    is_emailable,
    cast(site_events_recent as {{ dbt.type_int() }}) as site_events_recent,
    cast(product_views_recent as {{ dbt.type_int() }}) as product_views_recent,
    cast(last_site_event_at as {{ dbt.type_timestamp() }}) as last_site_event_at,
    cast(last_product_view_at as {{ dbt.type_timestamp() }}) as last_product_view_at,
    cast(last_add_to_cart_at as {{ dbt.type_timestamp() }}) as last_add_to_cart_at,
    cast(last_checkout_started_at as {{ dbt.type_timestamp() }}) as last_checkout_started_at,
    cast(last_shopping_event_at as {{ dbt.type_timestamp() }}) as last_shopping_event_at,
    cast(days_since_last_shopping_event as {{ dbt.type_int() }}) as days_since_last_shopping_event,
    cast(last_engaged_at as {{ dbt.type_timestamp() }}) as last_engaged_at,
    cast(days_since_last_engagement as {{ dbt.type_int() }}) as days_since_last_engagement,
    reporting_currency,
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from customer_facts
