-- One row per abandoned browse in the flow at as_of (grain: customer_id + trigger_key, the
-- session): a session with product views and no add to cart or order. The email is due
-- browse_abandonment_step_hours (24 h) after the session's last product view; an add to cart or
-- a valid order at or after it exits the flow. Statuses: macro journey_rows.
with

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

send_eligibility as (
    select * from {{ ref('int_customer_send_eligibility') }}
),

journey_holdouts as (
    select * from {{ ref('int_journey_holdouts') }}
),

site_sessions as (
    select * from {{ ref('site_sessions') }}
),

cart_events as (
    select * from {{ ref('int_site_events_counted') }}
    where is_counted and event_type in ('add_to_cart', 'checkout_started')
),

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

step_offsets as (
    {{ journey_step_offsets(var('browse_abandonment_step_hours')) }}
),

abandoned_browses as (
    {{ abandoned_browses('site_sessions') }}
),

browses as (
    select
        customer_id,
        session_id as trigger_key,
        abandoned_at as trigger_at
    from abandoned_browses
),

later_carts as (
    select
        browses.customer_id,
        browses.trigger_key,
        min(cart_events.occurred_at) as added_to_cart_at
    from browses
    inner join cart_events
        on browses.customer_id = cart_events.customer_id
        and browses.trigger_at <= cart_events.occurred_at
    group by browses.customer_id, browses.trigger_key
),

later_orders as (
    select
        browses.customer_id,
        browses.trigger_key,
        min(valid_orders.ordered_at) as ordered_at
    from browses
    inner join valid_orders
        on browses.customer_id = valid_orders.customer_id
        and browses.trigger_at <= valid_orders.ordered_at
    group by browses.customer_id, browses.trigger_key
),

browse_exits as (
    select
        browses.customer_id,
        browses.trigger_key,
        case
            when later_orders.ordered_at is null then later_carts.added_to_cart_at
            when later_carts.added_to_cart_at is null then later_orders.ordered_at
            when later_carts.added_to_cart_at <= later_orders.ordered_at then later_carts.added_to_cart_at
            else later_orders.ordered_at
        end as exited_at,
        case
            when later_orders.ordered_at is null then 'added_to_cart_after_trigger'
            when later_carts.added_to_cart_at is null then 'ordered_after_trigger'
            when later_carts.added_to_cart_at <= later_orders.ordered_at then 'added_to_cart_after_trigger'
            else 'ordered_after_trigger'
        end as exit_reason
    from browses
    left join later_carts
        on browses.customer_id = later_carts.customer_id
        and browses.trigger_key = later_carts.trigger_key
    left join later_orders
        on browses.customer_id = later_orders.customer_id
        and browses.trigger_key = later_orders.trigger_key
),

journey_steps as (
    select
        browses.customer_id,
        browses.trigger_key,
        browses.trigger_at,
        cast(null as {{ dbt.type_string() }}) as branch,
        step_offsets.step,
        {{ dbt.dateadd('hour', 'step_offsets.step_offset', 'browses.trigger_at') }} as due_at,
        browse_exits.exited_at,
        browse_exits.exit_reason
    from browses
    cross join step_offsets
    inner join browse_exits
        on browses.customer_id = browse_exits.customer_id
        and browses.trigger_key = browse_exits.trigger_key
),

{{ journey_rows(
    'browse_abandonment',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
