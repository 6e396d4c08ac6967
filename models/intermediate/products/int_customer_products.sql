-- One row per customer and product the customer bought (valid orders) or viewed (counted site
-- events: tracking consent, as every site model) at as_of (grain: customer_id, product_id):
-- what was bought and when last, what was viewed and how recently, and whether a replenishable
-- product is due again (replenishment_days after its last purchase, as journey_replenishment).
-- A table: read by int_customer_product_affinity, the recommendations and the journeys' products.
{{ config(materialized='table') }}
with

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

products as (
    select * from {{ ref('int_product_price_bands') }}
),

order_products as (
    select * from {{ ref('int_order_products') }}
),

counted_views as (
    select * from {{ ref('int_site_events_counted') }}
    where
        is_counted
        and event_type = 'product_view'
        and product_id is not null
),

purchases as (
    select
        customer_id,
        product_id,
        count(*) as orders,
        sum(units) as units,
        max(ordered_at) as last_bought_at
    from order_products
    group by customer_id, product_id
),

views as (
    select
        customer_id,
        product_id,
        count(*) as product_views,
        max(occurred_at) as last_viewed_at
    from counted_views
    group by customer_id, product_id
),

customer_products as (
    select
        coalesce(purchases.customer_id, views.customer_id) as customer_id,
        coalesce(purchases.product_id, views.product_id) as product_id,
        coalesce(purchases.orders, 0) as orders,
        coalesce(purchases.units, 0) as units,
        purchases.last_bought_at,
        coalesce(views.product_views, 0) as product_views,
        views.last_viewed_at
    from purchases
    full outer join views
        on purchases.customer_id = views.customer_id
        and purchases.product_id = views.product_id
),

with_product as (
    select
        customer_products.*,
        products.category,
        products.price_band,
        products.price_band_rank,
        products.is_replenishable,
        {{ dbt.dateadd('day', 'products.replenishment_days', 'customer_products.last_bought_at') }}
            as replenish_due_at,
        as_of_point.as_of
    from customer_products
    inner join products
        on customer_products.product_id = products.product_id
    cross join as_of_point
)

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(product_id as {{ dbt.type_string() }}) as product_id,
    cast(category as {{ dbt.type_string() }}) as category,
    cast(price_band as {{ dbt.type_string() }}) as price_band,
    cast(price_band_rank as integer) as price_band_rank,
    orders > 0 as has_bought,
    cast(orders as integer) as orders,
    cast(units as integer) as units,
    cast(last_bought_at as {{ dbt.type_timestamp() }}) as last_bought_at,
    cast(product_views as integer) as product_views,
    cast(last_viewed_at as {{ dbt.type_timestamp() }}) as last_viewed_at,
    cast(case
        when last_viewed_at is not null
            then row_number() over (
                partition by customer_id
                order by case when last_viewed_at is null then 1 else 0 end, last_viewed_at desc, product_id asc
            )
    end as integer) as view_recency_rank,
    is_replenishable,
    cast(replenish_due_at as {{ dbt.type_timestamp() }}) as replenish_due_at,
    coalesce(replenish_due_at <= as_of, false) as is_replenish_due
from with_product
