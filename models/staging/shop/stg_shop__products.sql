-- One row per product: the usable rows of base_shop__products (the rest are in quarantined_rows).
with

checked as (
    select * from {{ ref('base_shop__products') }}
)

select
    product_id,
    product_name,
    category,
    price,
    replenishment_days
from checked
where quarantine_reason is null
