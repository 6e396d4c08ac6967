-- One row per customer, journey and entry at or before as_of (grain: customer_id + journey +
-- entry_key): every time a customer entered a journey, recomputed from the event history, so a
-- build at any as_of sees the entries it would have seen (reproducible from the data and as_of).
-- A customer enters when the journey's first email becomes due, whether it is then sent or held
-- back (holdout): that is the first moment the treated and the held-out differ. An instance that
-- exits at or before that moment never entered. Each trigger is the journey model's own (one
-- macro or var per concept); RFM retention reads the recorded builds (segment_history), because
-- its trigger is a change between builds. VIP status and cross-sell partners at a past instant are
-- approximations (docs/journeys.md, "Which entries count"): VIP by the lifecycle rule on the orders
-- up to the offer day, partners from today's product_associations.
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

customers as (
    select
        customer_id,
        created_at,
        birth_date
    from {{ ref('stg_shop__customers') }}
),

order_products as (
    select * from {{ ref('int_order_products') }}
),

associations as (
    select * from {{ ref('product_associations') }}
),

-- Year and month starts up to as_of: the yearly and monthly journeys' candidate instants.
plausible_years as (
    {{ plausible_period_starts('year') }}
),

calendar_years as (
    select plausible_years.period_start as year_start
    from plausible_years
    cross join as_of_point
    where plausible_years.period_start <= as_of_point.as_of
),

plausible_months as (
    {{ plausible_period_starts('month') }}
),

calendar_months as (
    select plausible_months.period_start as month_start
    from plausible_months
    cross join as_of_point
    where plausible_months.period_start <= as_of_point.as_of
),

-- Welcome: the sign-up; an order before the first email (a guest checkout, or one on the spot)
-- ends the series before it starts.
welcome_entries as (
    select
        customer_facts.customer_id,
        'welcome' as journey,
        'sign_up' as entry_key,
        {{ dbt.dateadd('day', var('segments__welcome_step_days')[0], 'customer_facts.created_at') }} as entered_at
    from customer_facts
    where
        customer_facts.created_at is not null
        and (
            customer_facts.first_order_at is null
            or customer_facts.first_order_at
            > {{ dbt.dateadd('day', var('segments__welcome_step_days')[0], 'customer_facts.created_at') }}
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
        {{ dbt.dateadd('hour', var('segments__abandoned_cart_step_hours')[0], 'abandoned_carts.abandoned_at') }}
            as entered_at
    from abandoned_carts
    where not exists (
        select 1
        from valid_orders
        where
            valid_orders.customer_id = abandoned_carts.customer_id
            and valid_orders.ordered_at >= abandoned_carts.abandoned_at
            and valid_orders.ordered_at
            <= {{ dbt.dateadd('hour', var('segments__abandoned_cart_step_hours')[0], 'abandoned_carts.abandoned_at') }}
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
        {{ dbt.dateadd('hour', var('segments__browse_abandonment_step_hours')[0], 'abandoned_browses.abandoned_at') }}
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
                    'hour', var('segments__browse_abandonment_step_hours')[0], 'abandoned_browses.abandoned_at'
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
                    'hour', var('segments__browse_abandonment_step_hours')[0], 'abandoned_browses.abandoned_at'
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
        {{ dbt.dateadd('day', var('segments__winback_step_days')[0], 'active_at') }} as entered_at
    from activity_gaps
    where
        next_active_at is null
        or next_active_at > {{ dbt.dateadd('day', var('segments__winback_step_days')[0], 'active_at') }}
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
    {%- if var('segments__rfm_retention_one_time_buyers_only') %}
    where (
        select count(*)
        from valid_orders
        where
            valid_orders.customer_id = rfm_group_entries.customer_id
            and valid_orders.ordered_at <= rfm_group_entries.entered_at
    ) = 1
    {%- endif %}
),

-- Birthday: each yearly birthday (macro yearly_date_at, as journey_birthday) on or after the
-- sign-up, of customers with a birth date and a known sign-up.
birthday_entries as (
    select
        customers.customer_id,
        'birthday' as journey,
        cast(cast({{ yearly_date_at(
            'customers.birth_date', dbt.datediff('customers.birth_date', 'calendar_years.year_start', 'year')
        ) }} as date) as {{ dbt.type_string() }}) as entry_key,
        {{ yearly_date_at(
            'customers.birth_date', dbt.datediff('customers.birth_date', 'calendar_years.year_start', 'year')
        ) }} as entered_at
    from customers
    inner join calendar_years
        on {{ dbt.date_trunc('year', 'customers.created_at') }} <= calendar_years.year_start
    where
        customers.birth_date is not null
        and {{ yearly_date_at(
            'customers.birth_date', dbt.datediff('customers.birth_date', 'calendar_years.year_start', 'year')
        ) }} >= customers.created_at
),

-- Anniversary: each yearly anniversary of the first valid order, from a year after it (as
-- journey_anniversary), and of the sign-up when anniversary_include_sign_up says so.
anniversary_dates as (
    {{ anniversary_dates('customer_facts') }}
),

anniversaries as (
    select
        anniversary_dates.customer_id,
        anniversary_dates.anniversary_of,
        {{ yearly_date_at(
            'anniversary_dates.anniversary_date',
            dbt.datediff('anniversary_dates.anniversary_date', 'calendar_years.year_start', 'year'),
        ) }} as anniversary_at
    from anniversary_dates
    inner join calendar_years
        on cast(anniversary_dates.anniversary_date as {{ dbt.type_timestamp() }}) < calendar_years.year_start
),

anniversary_entries as (
    select
        customer_id,
        'anniversary' as journey,
        {{ dbt.concat(["anniversary_of", "':'", "cast(cast(anniversary_at as date) as " ~ dbt.type_string() ~ ")"]) }}
            as entry_key,
        anniversary_at as entered_at
    from anniversaries
),

-- VIP: each month's offer day (macro vip_offer_at, as journey_vip) on which the customer was VIP
-- by the lifecycle rule (macro vip_status) evaluated on the valid orders up to that instant.
offer_days as (
    select
        month_start,
        {{ vip_offer_at('month_start') }} as offer_at
    from calendar_months
),

orders_before_offer as (
    select
        offer_days.month_start,
        offer_days.offer_at,
        valid_orders.customer_id,
        valid_orders.net_revenue,
        {{ days_since('valid_orders.ordered_at', 'offer_days.offer_at') }}
            as days_before_offer
    from offer_days
    inner join valid_orders
        on offer_days.offer_at >= valid_orders.ordered_at
),

vip_status_at_offer as (
    {{ vip_status(
        'orders_before_offer', 'days_before_offer', 'net_revenue', key_columns=['month_start', 'offer_at']
    ) }}
),

vip_entries as (
    select
        customer_id,
        'vip' as journey,
        cast(cast(month_start as date) as {{ dbt.type_string() }}) as entry_key,
        offer_at as entered_at
    from vip_status_at_offer
    where is_vip
),

-- Cross-sell: each order that was the journey's trigger order when its email became due (the
-- first valid order; with cross_sell_first_order_only false, an order no later valid order
-- followed by then), with a partner left (macro cross_sell_instances); buying a partner by then
-- exits before it enters.
{%- if var('segments__cross_sell_first_order_only') %}
{%- set trigger_replaced_by -%}
    (other_orders.ordered_at < valid_orders.ordered_at
        or other_orders.ordered_at = valid_orders.ordered_at and other_orders.order_id < valid_orders.order_id)
{%- endset %}
{%- else %}
{%- set trigger_replaced_by -%}
    (other_orders.ordered_at > valid_orders.ordered_at
        or other_orders.ordered_at = valid_orders.ordered_at and other_orders.order_id > valid_orders.order_id)
    and other_orders.ordered_at <= {{ dbt.dateadd('day', var('segments__cross_sell_delay_days'), 'valid_orders.ordered_at') }}
{%- endset %}
{%- endif %}
cross_sell_trigger_orders as (
    select
        valid_orders.customer_id,
        valid_orders.order_id,
        valid_orders.ordered_at
    from valid_orders
    where not exists (
        select 1
        from valid_orders as other_orders
        where
            other_orders.customer_id = valid_orders.customer_id
            and other_orders.order_id <> valid_orders.order_id
            and {{ trigger_replaced_by }}
    )
),

{{ cross_sell_instances('cross_sell_trigger_orders', 'order_products', 'associations') }},

cross_sell_entries as (
    select
        customer_id,
        'cross_sell' as journey,
        order_id as entry_key,
        due_at as entered_at
    from cross_sell_instances
    where exited_at is null or exited_at > due_at
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
    union all
    select * from birthday_entries
    union all
    select * from anniversary_entries
    union all
    select * from vip_entries
    union all
    select * from cross_sell_entries
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
