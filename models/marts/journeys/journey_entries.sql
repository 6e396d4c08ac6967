-- One row per customer, journey and entry at or before as_of (grain: customer_id + journey +
-- entry_key): every time a customer entered a journey, recomputed from the event history, so a
-- build at any as_of sees the entries it would have seen (reproducible from the data and as_of).
-- A customer enters when the journey's first email becomes due, whether it is then sent or held
-- back (holdout): that is the first moment the treated and the held-out differ. An instance that
-- exits at or before that moment never entered. Each trigger is the journey model's own (one
-- macro or var per concept); RFM retention reads the recorded builds (segment_history), because
-- its trigger is a change between builds. Birthday, anniversary, VIP and cross-sell have no
-- entries yet (docs/journeys.md, "Which entries count").
with

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

customer_facts as (
    select * from {{ ref('customer_facts') }}
),

site_sessions as (
    select * from {{ ref('site_sessions') }}
),

counted_site_events as (
    select * from {{ ref('int_site_events_counted') }}
    where is_counted
),

email_engagements as (
    select * from {{ ref('int_email_events_classified') }}
    where is_email_engagement
),

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
    where replenishment_days is not null
),

segment_history as (
    select * from {{ ref('segment_history') }}
),

-- Welcome: the sign-up; an order before the first email (a guest checkout, or one on the spot)
-- ends the series before it starts.
welcome_entries as (
    select
        customer_facts.customer_id,
        'welcome' as journey,
        'sign_up' as entry_key,
        {{ dbt.dateadd('day', var('welcome_step_days')[0], 'customer_facts.created_at') }} as entered_at
    from customer_facts
    where
        customer_facts.created_at is not null
        and (
            customer_facts.first_order_at is null
            or customer_facts.first_order_at
            > {{ dbt.dateadd('day', var('welcome_step_days')[0], 'customer_facts.created_at') }}
        )
),

abandoned_carts as (
    {{ abandoned_carts('site_sessions') }}
),

cart_entries as (
    select
        abandoned_carts.customer_id,
        'abandoned_cart' as journey,
        abandoned_carts.session_id as entry_key,
        {{ dbt.dateadd('hour', var('abandoned_cart_step_hours')[0], 'abandoned_carts.abandoned_at') }}
            as entered_at
    from abandoned_carts
    where not exists (
        select 1
        from valid_orders
        where
            valid_orders.customer_id = abandoned_carts.customer_id
            and valid_orders.ordered_at >= abandoned_carts.abandoned_at
            and valid_orders.ordered_at
            <= {{ dbt.dateadd('hour', var('abandoned_cart_step_hours')[0], 'abandoned_carts.abandoned_at') }}
    )
),

abandoned_browses as (
    {{ abandoned_browses('site_sessions') }}
),

browse_entries as (
    select
        abandoned_browses.customer_id,
        'browse_abandonment' as journey,
        abandoned_browses.session_id as entry_key,
        {{ dbt.dateadd('hour', var('browse_abandonment_step_hours')[0], 'abandoned_browses.abandoned_at') }}
            as entered_at
    from abandoned_browses
    where
        not exists (
            select 1
            from valid_orders
            where
                valid_orders.customer_id = abandoned_browses.customer_id
                and valid_orders.ordered_at >= abandoned_browses.abandoned_at
                and valid_orders.ordered_at
                <= {{ dbt.dateadd(
                    'hour', var('browse_abandonment_step_hours')[0], 'abandoned_browses.abandoned_at'
                ) }}
        )
        and not exists (
            select 1
            from counted_site_events
            where
                counted_site_events.customer_id = abandoned_browses.customer_id
                and counted_site_events.event_type in ('add_to_cart', 'checkout_started')
                and counted_site_events.occurred_at >= abandoned_browses.abandoned_at
                and counted_site_events.occurred_at
                <= {{ dbt.dateadd(
                    'hour', var('browse_abandonment_step_hours')[0], 'abandoned_browses.abandoned_at'
                ) }}
        )
),

-- Win-back: the activity of journey_winback (human open or click, counted site event, valid
-- order, sign-up), every instant of it; a customer enters when winback_step_days[0] days pass
-- without the next one.
activity as (
    select
        customer_id,
        occurred_at as active_at
    from email_engagements
    union all
    select
        customer_id,
        occurred_at as active_at
    from counted_site_events
    union all
    select
        customer_id,
        ordered_at as active_at
    from valid_orders
    union all
    select
        customer_id,
        created_at as active_at
    from customer_facts
    where created_at is not null
),

activity_gaps as (
    select
        customer_id,
        active_at,
        lead(active_at) over (partition by customer_id order by active_at) as next_active_at
    from activity
),

winback_entries as (
    select
        customer_id,
        'winback' as journey,
        cast(active_at as {{ dbt.type_string() }}) as entry_key,
        {{ dbt.dateadd('day', var('winback_step_days')[0], 'active_at') }} as entered_at
    from activity_gaps
    where
        next_active_at is null
        or next_active_at > {{ dbt.dateadd('day', var('winback_step_days')[0], 'active_at') }}
),

replenishable_purchases as (
    {{ replenishable_purchases('valid_orders', 'order_items', 'products') }}
),

replenishment_entries as (
    select
        replenishable_purchases.customer_id,
        'replenishment' as journey,
        {{ dbt.concat(['replenishable_purchases.order_id', "':'", 'replenishable_purchases.product_id']) }}
            as entry_key,
        {{ dbt.dateadd('day', 'replenishable_purchases.replenishment_days', 'replenishable_purchases.ordered_at') }}
            as entered_at
    from replenishable_purchases
    -- Bought again by the reminder's day: the reminder never became due.
    where not exists (
        select 1
        from replenishable_purchases as later_purchases
        where
            later_purchases.customer_id = replenishable_purchases.customer_id
            and later_purchases.product_id = replenishable_purchases.product_id
            and later_purchases.ordered_at > replenishable_purchases.ordered_at
            and later_purchases.ordered_at <= {{ dbt.dateadd(
                'day', 'replenishable_purchases.replenishment_days', 'replenishable_purchases.ordered_at'
            ) }}
    )
),

{{ rfm_retention_group_entries('segment_history', 'as_of_point') }},

rfm_retention_entries as (
    select
        rfm_group_entries.customer_id,
        'rfm_retention' as journey,
        cast(rfm_group_entries.entered_at as {{ dbt.type_string() }}) as entry_key,
        rfm_group_entries.entered_at
    from rfm_group_entries
    {%- if var('rfm_retention_one_time_buyers_only') %}
    where (
        select count(*)
        from valid_orders
        where
            valid_orders.customer_id = rfm_group_entries.customer_id
            and valid_orders.ordered_at <= rfm_group_entries.entered_at
    ) = 1
    {%- endif %}
),

all_entries as (
    select * from welcome_entries
    union all
    select * from cart_entries
    union all
    select * from browse_entries
    union all
    select * from winback_entries
    union all
    select * from replenishment_entries
    union all
    select * from rfm_retention_entries
)

select
    cast(all_entries.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(all_entries.journey as {{ dbt.type_string() }}) as journey,
    cast(all_entries.entry_key as {{ dbt.type_string() }}) as entry_key,
    cast(all_entries.entered_at as {{ dbt.type_timestamp() }}) as entered_at,
    cast(as_of_point.as_of as {{ dbt.type_timestamp() }}) as as_of
from all_entries
cross join as_of_point
where all_entries.entered_at <= as_of_point.as_of
