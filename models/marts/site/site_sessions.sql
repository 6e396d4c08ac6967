-- One row per site session of a known customer at as_of (counted events only: the tracking
-- consent rule applies), with one behaviour class after the four cases of the targeted-email
-- guide: left after viewing content, browsed without buying, added to cart without ordering,
-- bought in the session. Anonymous sessions are left out on purpose: nobody can be emailed
-- about them and their consent cannot be checked.
with

site_events as (
    select * from {{ ref('int_site_events_counted') }}
    where is_counted
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

sessions as (
    select
        session_id,
        customer_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as events,
        count(case when event_type = 'page_view' then 1 end) as page_views,
        count(case when event_type = 'category_view' then 1 end) as category_views,
        count(case when event_type = 'product_view' then 1 end) as product_views,
        count(distinct case when event_type = 'product_view' then product_id end) as products_viewed,
        count(case when event_type = 'add_to_cart' then 1 end) as add_to_carts,
        count(case when event_type = 'checkout_started' then 1 end) as checkouts_started,
        count(case when event_type = 'order_completed' then 1 end) as orders_completed,
        max(case when event_type = 'product_view' then occurred_at end) as last_product_view_at,
        -- A started checkout is a cart too (it cannot happen without one).
        max(case when event_type in ('add_to_cart', 'checkout_started') then occurred_at end) as last_cart_event_at
    from site_events
    group by session_id, customer_id
),

classified as (
    select
        *,
        case
            when orders_completed > 0 then 'purchased'
            when add_to_carts > 0 or checkouts_started > 0 then 'abandoned_cart'
            when category_views > 0 or product_views > 0 then 'browsed'
            else 'viewed_content'
        end as behaviour_class
    from sessions
)

select
    cast(classified.session_id as {{ dbt.type_string() }}) as session_id,
    cast(classified.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(classified.behaviour_class as {{ dbt.type_string() }}) as behaviour_class,
    cast(classified.started_at as {{ dbt.type_timestamp() }}) as started_at,
    cast(classified.ended_at as {{ dbt.type_timestamp() }}) as ended_at,
    cast(classified.events as {{ dbt.type_int() }}) as events,
    cast(classified.page_views as {{ dbt.type_int() }}) as page_views,
    cast(classified.category_views as {{ dbt.type_int() }}) as category_views,
    cast(classified.product_views as {{ dbt.type_int() }}) as product_views,
    cast(classified.products_viewed as {{ dbt.type_int() }}) as products_viewed,
    cast(classified.add_to_carts as {{ dbt.type_int() }}) as add_to_carts,
    cast(classified.checkouts_started as {{ dbt.type_int() }}) as checkouts_started,
    cast(classified.orders_completed as {{ dbt.type_int() }}) as orders_completed,
    cast(classified.last_product_view_at as {{ dbt.type_timestamp() }}) as last_product_view_at,
    cast(classified.last_cart_event_at as {{ dbt.type_timestamp() }}) as last_cart_event_at,
    cast(as_of_point.as_of as {{ dbt.type_timestamp() }}) as as_of
from classified
cross join as_of_point
