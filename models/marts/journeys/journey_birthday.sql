-- One row per customer with a birth date at as_of (grain: customer_id): one email on the
-- birthday (UTC date, due for journey_due_window_hours from midnight), once a year. Until this
-- year's birthday has passed the row is this year's, after it next year's; 29 February falls on
-- 28 February in other years (macro next_yearly_date_at). Statuses: macro journey_rows.
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

customers as (
    select
        customer_id,
        birth_date
    from {{ ref('stg_shop__customers') }}
    where birth_date is not null
),

next_birthdays as (
    select
        customers.customer_id,
        {{ next_yearly_date_at('customers.birth_date', 'as_of_point.as_of') }} as birthday_at
    from customers
    cross join as_of_point
),

journey_steps as (
    select
        customer_id,
        cast(cast(birthday_at as date) as {{ dbt.type_string() }}) as trigger_key,
        birthday_at as trigger_at,
        cast(null as {{ dbt.type_string() }}) as branch,
        1 as step,
        birthday_at as due_at,
        cast(null as {{ dbt.type_timestamp() }}) as exited_at,
        cast(null as {{ dbt.type_string() }}) as exit_reason
    from next_birthdays
),

{{ journey_rows(
    'birthday',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
