-- Every raw order line, cast and checked on its own (see base_shop__customers for the pattern).
-- Whether its order and product were staged, and the choice among copies of one line, are
-- checked_shop__order_items'.
with

source as (
    select * from {{ raw_table('order_items') }}
),

cleaned as (
    select
        {{ clean_id('order_id') }} as order_id,
        {{ parse_integer('line_number') }} as line_number,
        {{ clean_id('product_id') }} as product_id,
        {{ parse_integer('quantity') }} as quantity,
        {{ parse_money('unit_price') }} as unit_price
    from source
)

select
    order_id,
    line_number,
    product_id,
    quantity,
    unit_price,
    case
        when order_id is null or line_number is null or product_id is null
            then 'missing_key'
        when
            quantity is null or quantity <= 0
            or unit_price is null or unit_price < 0
            then 'invalid_amount'
    end as quarantine_reason
from cleaned
