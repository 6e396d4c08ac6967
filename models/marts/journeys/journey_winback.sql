-- One row per customer in the win-back flow at as_of (grain: customer_id): no engagement
-- (human email open or click, counted site event) and no valid order since trigger_at, the
-- latest of these (or the sign-up when there was none). Steps at winback_step_days after it
-- (30, 60 and the final offer at 90). Any activity moves trigger_at, so the flow restarts by
-- itself and needs no exit rule. Statuses: macro journey_rows.
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
    {{ journey_step_offsets(var('segments__winback_step_days')) }}
),

last_activity as (
    select
        customer_id,
        -- An order counts as activity too: a buyer yesterday is not inactive, even when no site
        -- event of theirs counts (no tracking consent).
        {{ latest_of(latest_of('last_engaged_at', 'last_order_at'), 'created_at') }} as last_active_at
    from customer_facts
),

journey_steps as (
    select
        last_activity.customer_id,
        'inactive_since' as trigger_key,
        last_activity.last_active_at as trigger_at,
        cast(null as {{ dbt.type_string() }}) as branch,
        step_offsets.step,
        {{ dbt.dateadd('day', 'step_offsets.step_offset', 'last_activity.last_active_at') }} as due_at,
        cast(null as {{ dbt.type_timestamp() }}) as exited_at,
        cast(null as {{ dbt.type_string() }}) as exit_reason
    from last_activity
    cross join step_offsets
),

{{ journey_rows(
    'winback',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
