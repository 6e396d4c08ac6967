-- One row per customer with at least one counted site event at as_of (consent applied).
with

counted_events as (
    select * from {{ ref('int_site_events_counted') }}
    where is_counted
)

select
    customer_id,
    sum(case when days_since_event <= {{ var('engaged_recent_days') }} then 1 else 0 end) as site_events_last_90d,
    sum(
        case when event_type = 'product_view' and days_since_event <= {{ var('engaged_recent_days') }} then 1 else 0 end
    ) as product_views_last_90d,
    max(occurred_at) as last_site_event_at,
    max(case when event_type = 'product_view' then occurred_at end) as last_product_view_at,
    max(case when event_type = 'add_to_cart' then occurred_at end) as last_add_to_cart_at,
    max(case when event_type = 'checkout_started' then occurred_at end) as last_checkout_started_at,
    -- Window Shoppers look at products: a product view, an add to cart or a started checkout.
    max(
        case when event_type in ('product_view', 'add_to_cart', 'checkout_started') then occurred_at end
    ) as last_shopping_event_at
from counted_events
group by customer_id
