-- One row per customer and anniversary at as_of (grain: customer_id + trigger_key): one email on
-- the yearly anniversary of the first valid order (UTC date, due for journey_due_window_hours
-- from midnight), once a year from the first year on; with anniversary_include_sign_up, of the
-- sign-up too. Same date rule as the birthday (macro next_yearly_date_at): 29 February falls on
-- 28 February in other years. Statuses: macro journey_rows.
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

anniversary_dates as (
    {{ anniversary_dates('customer_facts') }}
),

next_anniversaries as (
    select
        anniversary_dates.customer_id,
        anniversary_dates.anniversary_of,
        {{ next_yearly_date_at('anniversary_dates.anniversary_date', 'as_of_point.as_of', first_year=1) }}
            as anniversary_at
    from anniversary_dates
    cross join as_of_point
),

journey_steps as (
    select
        customer_id,
        {{ dbt.concat(["anniversary_of", "':'", "cast(cast(anniversary_at as date) as " ~ dbt.type_string() ~ ")"]) }}
            as trigger_key,
        anniversary_at as trigger_at,
        anniversary_of as branch,
        1 as step,
        anniversary_at as due_at,
        cast(null as {{ dbt.type_timestamp() }}) as exited_at,
        cast(null as {{ dbt.type_string() }}) as exit_reason
    from next_anniversaries
),

{{ journey_rows(
    'anniversary',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
