-- One row per valid order credited to an email (grain: order_id): the last click (or, with
-- attribution_include_opens, human open) of the customer within attribution_window_days before
-- the order. Orders without such a touch are not here; each order is credited at most once.
with

order_attribution as (
    select * from {{ ref('int_order_attribution') }}
),

messages as (
    select * from {{ ref('stg_email__messages') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
)

select
    cast(order_attribution.order_id as {{ dbt.type_string() }}) as order_id,
    cast(order_attribution.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(order_attribution.ordered_at as {{ dbt.type_timestamp() }}) as ordered_at,
    cast(order_attribution.reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
    cast(order_attribution.net_revenue as {{ type_money() }}) as net_revenue,
    cast(order_attribution.message_id as {{ dbt.type_string() }}) as message_id,
    cast(messages.message_type as {{ dbt.type_string() }}) as message_type,
    cast(messages.campaign_or_flow_name as {{ dbt.type_string() }}) as campaign_or_flow_name,
    cast(messages.flow_step as {{ dbt.type_int() }}) as flow_step,
    cast(messages.ab_test_id as {{ dbt.type_string() }}) as ab_test_id,
    cast(messages.variant as {{ dbt.type_string() }}) as variant,
    cast(order_attribution.touch_event_id as {{ dbt.type_string() }}) as touch_event_id,
    cast(order_attribution.touch_type as {{ dbt.type_string() }}) as touch_type,
    cast(order_attribution.touched_at as {{ dbt.type_timestamp() }}) as touched_at,
    cast(order_attribution.hours_from_touch_to_order as {{ type_double() }}) as hours_from_touch_to_order,
    cast(as_of_point.as_of as {{ dbt.type_timestamp() }}) as as_of
from order_attribution
inner join messages
    on order_attribution.message_id = messages.message_id
cross join as_of_point
