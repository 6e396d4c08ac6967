-- One row per staged email event at or before as_of, with machine opens told apart from human
-- opens (docs/definitions.md §1; the rules are in int_email_events_flagged, which is as_of-independent and
-- incremental) and the calendar days since the event.
with

flagged_events as (
    select * from {{ ref('int_email_events_flagged') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

events_until_as_of as (
    select
        flagged_events.*,
        as_of_point.as_of
    from flagged_events
    cross join as_of_point
    where flagged_events.occurred_at <= as_of_point.as_of
)

select
    event_id,
    message_id,
    customer_id,
    event_type,
    occurred_at,
    bounce_type,
    user_agent,
    delivered_at,
    machine_open_reason,
    is_machine_open,
    is_human_open,
    is_click,
    is_email_engagement,
    {{ days_since('occurred_at') }} as days_since_event
from events_until_as_of
