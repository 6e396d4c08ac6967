-- One row per product and window (grain: product_id, window_name): sales, site interest and
-- rank of every staged product over the short (product_window_short_days) and the long
-- (product_window_long_days) window before as_of ("within N days": days since <= N). Money is
-- int_orders' net revenue in the reporting currency, shared out over the order's products
-- (int_order_products). Views and adds to cart are counted site events (tracking consent).
-- Ranks: by units, then net revenue, then product_id (bestsellers first).
with

products as (
    select * from {{ ref('int_product_price_bands') }}
),

order_products as (
    select * from {{ ref('int_order_products') }}
),

counted_events as (
    select * from {{ ref('int_site_events_counted') }}
    where
        is_counted
        and event_type in ('product_view', 'add_to_cart')
        and product_id is not null
),

windows as (
    select
        'short' as window_name,
        {{ var('segments__product_window_short_days') }} as window_days
    union all
    select
        'long' as window_name,
        {{ var('segments__product_window_long_days') }} as window_days
),

purchases_in_window as (
    select
        windows.window_name,
        order_products.product_id,
        order_products.customer_id,
        order_products.order_id,
        order_products.units,
        order_products.net_revenue
    from order_products
    inner join windows
        on order_products.days_since_order <= windows.window_days
),

buyer_orders as (
    select
        window_name,
        product_id,
        customer_id,
        count(*) as orders
    from purchases_in_window
    group by window_name, product_id, customer_id
),

sales as (
    select
        purchases_in_window.window_name,
        purchases_in_window.product_id,
        sum(purchases_in_window.units) as units,
        count(*) as orders,
        count(distinct purchases_in_window.customer_id) as buyers,
        sum(purchases_in_window.net_revenue) as net_revenue
    from purchases_in_window
    group by purchases_in_window.window_name, purchases_in_window.product_id
),

repeat_buyers as (
    select
        window_name,
        product_id,
        sum(case when orders >= 2 then 1 else 0 end) as repeat_buyers
    from buyer_orders
    group by window_name, product_id
),

events_in_window as (
    select
        windows.window_name,
        counted_events.product_id,
        counted_events.customer_id,
        counted_events.event_type
    from counted_events
    inner join windows
        on counted_events.days_since_event <= windows.window_days
),

interest as (
    select
        events_in_window.window_name,
        events_in_window.product_id,
        sum(case when events_in_window.event_type = 'product_view' then 1 else 0 end) as product_views,
        sum(case when events_in_window.event_type = 'add_to_cart' then 1 else 0 end) as add_to_carts,
        count(distinct case
            when events_in_window.event_type = 'product_view' then events_in_window.customer_id
        end) as viewers,
        count(distinct case
            when events_in_window.event_type = 'product_view' and buyer_orders.customer_id is not null
                then events_in_window.customer_id
        end) as viewers_who_bought
    from events_in_window
    left join buyer_orders
        on events_in_window.window_name = buyer_orders.window_name
        and events_in_window.product_id = buyer_orders.product_id
        and events_in_window.customer_id = buyer_orders.customer_id
    group by events_in_window.window_name, events_in_window.product_id
),

product_windows as (
    select
        products.*,
        windows.window_name,
        windows.window_days,
        coalesce(sales.units, 0) as units,
        coalesce(sales.orders, 0) as orders,
        coalesce(sales.buyers, 0) as buyers,
        coalesce(repeat_buyers.repeat_buyers, 0) as repeat_buyers,
        coalesce(sales.net_revenue, 0) as net_revenue,
        coalesce(interest.product_views, 0) as product_views,
        coalesce(interest.add_to_carts, 0) as add_to_carts,
        coalesce(interest.viewers, 0) as viewers,
        coalesce(interest.viewers_who_bought, 0) as viewers_who_bought
    from products
    cross join windows
    left join sales
        on products.product_id = sales.product_id
        and windows.window_name = sales.window_name
    left join repeat_buyers
        on products.product_id = repeat_buyers.product_id
        and windows.window_name = repeat_buyers.window_name
    left join interest
        on products.product_id = interest.product_id
        and windows.window_name = interest.window_name
),

ranked as (
    select
        *,
        row_number() over (
            partition by window_name, category
            order by units desc, net_revenue desc, product_id asc
        ) as category_rank,
        row_number() over (
            partition by window_name
            order by units desc, net_revenue desc, product_id asc
        ) as store_rank
    from product_windows
)

select
    cast(product_id as {{ dbt.type_string() }}) as product_id,
    cast(window_name as {{ dbt.type_string() }}) as window_name,
    cast(window_days as integer) as window_days,
    cast(category as {{ dbt.type_string() }}) as category,
    cast(price_band as {{ dbt.type_string() }}) as price_band,
    cast(price_band_rank as integer) as price_band_rank,
    is_basic_in_category,
    is_replenishable,
    cast(units as integer) as units,
    cast(orders as integer) as orders,
    cast(buyers as integer) as buyers,
    cast(repeat_buyers as integer) as repeat_buyers,
    cast(case when buyers > 0 then cast(repeat_buyers as {{ type_double() }}) / buyers end as {{ type_double() }})
        as repeat_purchase_rate,
    {{ reporting_currency_column() }},
    cast(net_revenue as {{ type_money() }}) as net_revenue,
    cast(product_views as integer) as product_views,
    cast(add_to_carts as integer) as add_to_carts,
    cast(viewers as integer) as viewers,
    cast(
        case when viewers > 0 then cast(viewers_who_bought as {{ type_double() }}) / viewers end as {{ type_double() }}
    )
        as view_to_purchase_rate,
    cast(category_rank as integer) as category_rank,
    cast(store_rank as integer) as store_rank
from ranked
