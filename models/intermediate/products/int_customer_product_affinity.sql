-- One row per customer who bought or viewed a product at as_of (grain: customer_id), from
-- int_customer_products: the top category by purchases (orders holding it, then units) and by
-- counted views (tracking consent), the last viewed product, the usual price band (the band
-- of most units bought; ties go to the cheaper band) and whether they buy replenishable
-- products. The products themselves, with dates, are the customer's rows of int_customer_products.
-- A table: read by the recommendations and journey_queue.
{{ config(materialized='table') }}
with

customer_products as (
    select * from {{ ref('int_customer_products') }}
),

category_activity as (
    select
        customer_id,
        category,
        sum(orders) as orders,
        sum(units) as units,
        sum(product_views) as product_views,
        max(last_bought_at) as last_bought_at,
        max(last_viewed_at) as last_viewed_at
    from customer_products
    group by customer_id, category
),

top_purchase_categories as (
    select
        customer_id,
        category,
        row_number() over (
            partition by customer_id
            order by orders desc, units desc, last_bought_at desc, category asc
        ) as category_rank
    from category_activity
    where orders > 0
),

top_view_categories as (
    select
        customer_id,
        category,
        row_number() over (
            partition by customer_id
            order by product_views desc, last_viewed_at desc, category asc
        ) as category_rank
    from category_activity
    where product_views > 0
),

band_units as (
    select
        customer_id,
        price_band,
        price_band_rank,
        row_number() over (
            partition by customer_id
            order by sum(units) desc, price_band_rank
        ) as band_order
    from customer_products
    where has_bought
    group by customer_id, price_band, price_band_rank
),

totals as (
    select
        customer_id,
        sum(case when has_bought then 1 else 0 end) as products_bought,
        sum(case when product_views > 0 then 1 else 0 end) as products_viewed,
        max(last_bought_at) as last_bought_at,
        max(case when has_bought and is_replenishable then 1 else 0 end) = 1 as buys_replenishable
    from customer_products
    group by customer_id
),

last_viewed as (
    select
        customer_id,
        product_id,
        last_viewed_at
    from customer_products
    where view_recency_rank = 1
)

select
    cast(totals.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(top_purchase_categories.category as {{ dbt.type_string() }}) as top_purchase_category,
    cast(top_view_categories.category as {{ dbt.type_string() }}) as top_view_category,
    cast(totals.products_bought as integer) as products_bought,
    cast(totals.products_viewed as integer) as products_viewed,
    cast(totals.last_bought_at as {{ dbt.type_timestamp() }}) as last_bought_at,
    cast(last_viewed.product_id as {{ dbt.type_string() }}) as last_viewed_product_id,
    cast(last_viewed.last_viewed_at as {{ dbt.type_timestamp() }}) as last_viewed_at,
    cast(band_units.price_band as {{ dbt.type_string() }}) as usual_price_band,
    cast(band_units.price_band_rank as integer) as usual_price_band_rank,
    totals.buys_replenishable
from totals
left join top_purchase_categories
    on totals.customer_id = top_purchase_categories.customer_id
    and top_purchase_categories.category_rank = 1
left join top_view_categories
    on totals.customer_id = top_view_categories.customer_id
    and top_view_categories.category_rank = 1
left join band_units
    on totals.customer_id = band_units.customer_id
    and band_units.band_order = 1
left join last_viewed
    on totals.customer_id = last_viewed.customer_id
