-- One row per order: the usable rows of checked_shop__orders (the rest are in quarantined_rows).
with

checked as (
    select * from {{ ref('checked_shop__orders') }}
)

select
    order_id,
    customer_id,
    ordered_at,
    order_status,
    currency,
    subtotal,
    discount,
    shipping,
    total,
    refunded_amount,
    exchange_rate
from checked
where quarantine_reason is null
