-- One row per abandoned cart in the flow at as_of (grain: customer_id + trigger_key, the
-- session): a session with an add to cart (or a started checkout) and no order in it. Step 1 is
-- due abandoned_cart_step_hours[0] (24 h) after the session's last cart event, step 2 after
-- [1] (72 h); any valid order at or after that event exits the flow. Statuses: macro journey_rows.
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

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

step_offsets as (
    {{ journey_step_offsets(var('abandoned_cart_step_hours')) }}
),

abandoned_carts as (
    {{ abandoned_carts('site_sessions') }}
),

carts as (
    select
        customer_id,
        session_id as trigger_key,
        abandoned_at as trigger_at
    from abandoned_carts
),

cart_exits as (
    select
        carts.customer_id,
        carts.trigger_key,
        min(valid_orders.ordered_at) as exited_at
    from carts
    inner join valid_orders
        on carts.customer_id = valid_orders.customer_id
        and carts.trigger_at <= valid_orders.ordered_at
    group by carts.customer_id, carts.trigger_key
),

journey_steps as (
    select
        carts.customer_id,
        carts.trigger_key,
        carts.trigger_at,
        cast(null as {{ dbt.type_string() }}) as branch,
        step_offsets.step,
        {{ dbt.dateadd('hour', 'step_offsets.step_offset', 'carts.trigger_at') }} as due_at,
        cart_exits.exited_at,
        'ordered_after_trigger' as exit_reason
    from carts
    cross join step_offsets
    left join cart_exits
        on carts.customer_id = cart_exits.customer_id
        and carts.trigger_key = cart_exits.trigger_key
),

{{ journey_rows(
    'abandoned_cart',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
