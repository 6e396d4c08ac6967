-- One row per staged order placed at or before as_of, with what it counts for (docs/definitions.md §1):
-- a valid order has a valid status and is not fully refunded; net revenue = total - refunds.
-- Money leaves here in the reporting currency (var segments__reporting_currency), converted at the
-- order's rate (stg_shop__orders.exchange_rate); the order's own currency and amounts stay
-- beside it. Every model downstream reads these columns, so no mart adds two currencies.
with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

orders_until_as_of as (
    select
        orders.*,
        as_of_point.as_of
    from orders
    cross join as_of_point
    where orders.ordered_at <= as_of_point.as_of
),

classified as (
    select
        *,
        order_status in {{ sql_list(var('segments__valid_order_statuses')) }} as has_valid_status,
        -- A refund of the whole (non-zero) total undoes the order; a free order still counts.
        total > 0 and refunded_amount >= total as is_fully_refunded
    from orders_until_as_of
),

-- Net of refunds in the order's own currency; converted once below, so one rounding per order.
netted as (
    select
        *,
        case
            when not has_valid_status or is_fully_refunded then 0
            when total - refunded_amount < 0 then 0
            else total - refunded_amount
        end as order_net_revenue
    from classified
)

select
    order_id,
    customer_id,
    ordered_at,
    order_status,
    currency as order_currency,
    total as order_total,
    refunded_amount as order_refunded_amount,
    exchange_rate,
    {{ reporting_currency_column() }},
    {{ to_reporting_currency('total', 'exchange_rate') }} as total,
    {{ to_reporting_currency('refunded_amount', 'exchange_rate') }} as refunded_amount,
    is_fully_refunded,
    has_valid_status and not is_fully_refunded as is_valid_order,
    {{ to_reporting_currency('order_net_revenue', 'exchange_rate') }} as net_revenue,
    {{ days_since('ordered_at') }} as days_since_order
from netted
