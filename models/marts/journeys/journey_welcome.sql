-- One row per customer in the welcome series at as_of (grain: customer_id): three emails at
-- welcome_step_days after sign-up (0 / 1-2 / 3-4 days with the 24 h due window); the series
-- exits on the customer's first valid order. Statuses: macro journey_rows.
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

customer_facts as (
    select * from {{ ref('customer_facts') }}
),

step_offsets as (
    {{ journey_step_offsets(var('segments__welcome_step_days')) }}
),

sign_ups as (
    select
        customer_id,
        created_at as trigger_at,
        -- An order placed before the sign-up (a guest checkout) ends the series at once.
        case
            when first_order_at is not null then {{ latest_of('first_order_at', 'created_at') }}
        end as first_order_exit_at
    from customer_facts
),

journey_steps as (
    select
        sign_ups.customer_id,
        'sign_up' as trigger_key,
        sign_ups.trigger_at,
        cast(null as {{ dbt.type_string() }}) as branch,
        step_offsets.step,
        {{ dbt.dateadd('day', 'step_offsets.step_offset', 'sign_ups.trigger_at') }} as due_at,
        sign_ups.first_order_exit_at as exited_at,
        'ordered_after_trigger' as exit_reason
    from sign_ups
    cross join step_offsets
),

{{ journey_rows(
    'welcome',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
