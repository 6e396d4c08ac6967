-- One row per email event: the usable rows of checked_email__events (the rest are in quarantined_rows).
with

checked as (
    select * from {{ ref('checked_email__events') }}
)

select
    event_id,
    message_id,
    customer_id,
    event_type,
    occurred_at,
    bounce_type,
    user_agent,
    is_flagged_machine_open
from checked
where quarantine_reason is null
