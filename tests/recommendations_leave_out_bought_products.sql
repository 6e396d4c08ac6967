-- A product the customer already bought is recommended only to replenish it, and only when it
-- is due. Returns the recommendations that break this, read against the valid orders directly
-- (int_order_products), not against int_customer_products which the model itself reads.
with

recommendations as (
    select * from {{ ref('customer_recommendations') }}
),

bought as (
    select distinct
        customer_id,
        product_id
    from {{ ref('int_order_products') }}
),

customer_products as (
    select * from {{ ref('int_customer_products') }}
)

select
    recommendations.customer_id,
    recommendations.product_id,
    recommendations.reason
from recommendations
left join bought
    on recommendations.customer_id = bought.customer_id
    and recommendations.product_id = bought.product_id
left join customer_products
    on recommendations.customer_id = customer_products.customer_id
    and recommendations.product_id = customer_products.product_id
where
    (bought.product_id is not null and recommendations.reason <> 'replenish')
    or (recommendations.reason = 'replenish' and not coalesce(customer_products.is_replenish_due, false))
