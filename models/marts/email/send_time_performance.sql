-- One row per weekday and hour of sending (grain: send_weekday + send_hour, UTC): human open and
-- click rates (and the other email measures) of the sends made then. The send instant is each
-- recipient's own (a flow step is sent at many times); UTC, not the recipient's local time.
with

recipients as (
    select * from {{ ref('int_email_recipients') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

timed as (
    select
        recipients.*,
        as_of_point.as_of,
        {{ iso_day_of_week('recipients.sent_at') }} as send_weekday,
        {{ hour_of_day('recipients.sent_at') }} as send_hour
    from recipients
    cross join as_of_point
),

slots as (
    select
        send_weekday,
        send_hour,
        max(as_of) as as_of,
        {{ email_recipient_counts() }}
    from timed
    group by send_weekday, send_hour
)

select
    cast(send_weekday as {{ dbt.type_int() }}) as send_weekday,
    cast({{ iso_weekday_name('send_weekday') }} as {{ dbt.type_string() }}) as send_weekday_name,
    cast(send_hour as {{ dbt.type_int() }}) as send_hour,
    {{ email_measure_columns() }},
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from slots
