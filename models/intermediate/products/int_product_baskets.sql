-- One row per basket and product, the input of product_associations: kind `bought_together`
-- = the distinct products of a valid order (int_order_products), kind `viewed_together` = the
-- distinct products viewed in a site session, counted events only (tracking consent, as every
-- site model). A product is in a basket once however often it was bought or viewed in it, so
-- a pair is counted once per order or session. basket_size = distinct products of the basket.
with

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

bought as (
    select distinct
        'bought_together' as kind,
        order_id as basket_id,
        product_id
    from order_products
),

viewed as (
    select distinct
        'viewed_together' as kind,
        session_id as basket_id,
        product_id
    from counted_views
),

baskets as (
    select * from bought
    union all
    select * from viewed
)

select
    cast(kind as {{ dbt.type_string() }}) as kind,
    basket_id,
    product_id,
    cast(count(*) over (partition by kind, basket_id) as {{ dbt.type_bigint() }}) as basket_size
from baskets
