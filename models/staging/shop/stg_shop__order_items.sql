-- One row per order line: the usable rows of checked_shop__order_items (the rest are in quarantined_rows).
with

checked as (
    select * from {{ ref('checked_shop__order_items') }}
)

select
    order_id,
    line_number,
    product_id,
    quantity,
    unit_price
from checked
where quarantine_reason is null
