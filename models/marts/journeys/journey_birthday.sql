-- One row per customer with a birth date at as_of (grain: customer_id): one email on the
-- birthday (UTC date, due for journey_due_window_hours from midnight), once a year. Until this
-- year's birthday has passed the row is this year's, after it next year's; 29 February falls on
-- 28 February in other years. Statuses: macro journey_rows.
with

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

send_eligibility as (
    select * from {{ ref('int_customer_send_eligibility') }}
),

customers as (
    select
        customer_id,
        birth_date
    from {{ ref('stg_shop__customers') }}
    where birth_date is not null
),

birth_dates as (
    select
        customers.customer_id,
        customers.birth_date,
        as_of_point.as_of
    from customers
    cross join as_of_point
),

birth_years as (
    select
        *,
        {{ dbt.datediff('birth_date', 'as_of', 'year') }}
            as years_since_birth
    from birth_dates
),

birthdays_this_year as (
    select
        *,
        cast(
            {{ dbt.dateadd('year', 'years_since_birth', 'birth_date') }} as {{ dbt.type_timestamp() }}
        ) as this_year_birthday_at
    from birth_years
),

next_birthdays as (
    select
        customer_id,
        case
            when as_of < {{ dbt.dateadd('hour', var('journey_due_window_hours'), 'this_year_birthday_at') }}
                then this_year_birthday_at
            -- In parentheses: dbt-spark's dateadd multiplies the interval by 12 months as written.
            else cast({{ dbt.dateadd('year', '(years_since_birth + 1)', 'birth_date') }} as {{ dbt.type_timestamp() }})
        end as birthday_at
    from birthdays_this_year
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
) }}
