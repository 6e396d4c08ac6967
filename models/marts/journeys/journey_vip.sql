-- One row per VIP (lifecycle stage loyalty) at as_of (grain: customer_id): one offer a month,
-- due on vip_offer_day_of_month. Until this month's offer day has passed the row is this
-- month's offer, after it next month's. trigger_at is the month the offer belongs to; a
-- customer who stops being VIP simply leaves the journey. Statuses: macro journey_rows.
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

customer_lifecycle as (
    select * from {{ ref('customer_lifecycle') }}
),

vips as (
    select
        customer_id,
        vip_reason
    from customer_lifecycle
    where is_vip
),

offer_months as (
    select
        as_of,
        {{ dbt.date_trunc('month', 'as_of') }} as month_start
    from as_of_point
),

offer_dates as (
    select
        as_of,
        month_start,
        {{ vip_offer_at('month_start') }} as this_month_offer_at,
        {{ dbt.dateadd('month', 1, 'month_start') }} as next_month_start
    from offer_months
),

current_offer as (
    select
        case
            when as_of < {{ dbt.dateadd('hour', var('segments__journey_due_window_hours'), 'this_month_offer_at') }}
                then month_start
            else next_month_start
        end as offer_month_start
    from offer_dates
),

journey_steps as (
    select
        vips.customer_id,
        cast(cast(current_offer.offer_month_start as date) as {{ dbt.type_string() }}) as trigger_key,
        current_offer.offer_month_start as trigger_at,
        vips.vip_reason as branch,
        1 as step,
        {{ vip_offer_at('current_offer.offer_month_start') }} as due_at,
        cast(null as {{ dbt.type_timestamp() }}) as exited_at,
        cast(null as {{ dbt.type_string() }}) as exit_reason
    from vips
    cross join current_offer
),

{{ journey_rows(
    'vip',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
