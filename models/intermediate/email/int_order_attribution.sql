-- One row per valid order credited to an email (grain: order_id): the customer's last click (and,
-- with attribution_include_opens, human open) within attribution_window_days before the order.
-- Orders without such a touch are not here (int_orders has them all); machine opens never count.
-- A table: int_email_recipients, attributed_orders and the key tests read it, and as a
-- view each of them joined every valid order with every click again (~8 s of CPU each at L).
{{ config(materialized='table') }}
with

orders as (
    select * from {{ ref('int_orders') }}
),

email_events as (
    select * from {{ ref('int_email_events_classified') }}
),

valid_orders as (
    select
        order_id,
        customer_id,
        ordered_at,
        reporting_currency,
        net_revenue,
        {{ dbt.dateadd('day', -1 * var('segments__attribution_window_days'), 'ordered_at') }} as window_start
    from orders
    where is_valid_order
),

touches as (
    select
        event_id,
        message_id,
        customer_id,
        occurred_at,
        'click' as touch_type
    from email_events
    where is_click
    {% if var('segments__attribution_include_opens') %}
    union all
    select
        event_id,
        message_id,
        customer_id,
        occurred_at,
        'human_open' as touch_type
    from email_events
    where is_human_open
    {% endif %}
),

touches_before_order as (
    select
        valid_orders.order_id,
        valid_orders.customer_id,
        valid_orders.ordered_at,
        valid_orders.reporting_currency,
        valid_orders.net_revenue,
        touches.event_id as touch_event_id,
        touches.message_id,
        touches.touch_type,
        touches.occurred_at as touched_at,
        {{ dbt.datediff('touches.occurred_at', 'valid_orders.ordered_at', 'second') }}
            as touch_seconds,
        -- Last touch wins; the event id breaks a tie of two touches at the same instant.
        row_number() over (
            partition by valid_orders.order_id
            order by touches.occurred_at desc, touches.event_id desc
        ) as touch_recency_rank
    from valid_orders
    inner join touches
        on valid_orders.customer_id = touches.customer_id
        and valid_orders.ordered_at > touches.occurred_at
        and valid_orders.window_start <= touches.occurred_at
)

select
    order_id,
    customer_id,
    ordered_at,
    reporting_currency,
    net_revenue,
    message_id,
    touch_event_id,
    touch_type,
    touched_at,
    -- A double on every engine (Spark divides by a decimal literal in decimals, rounded to 6 places).
    cast(touch_seconds as {{ type_double() }}) / 3600 as hours_from_touch_to_order
from touches_before_order
where touch_recency_rank = 1
