-- One row per site event: the usable rows of checked_web__events (the rest are in quarantined_rows).
with

checked as (
    select * from {{ ref('checked_web__events') }}
)

select
    event_id,
    session_id,
    customer_id,
    anonymous_id,
    event_type,
    product_id,
    occurred_at
from checked
where quarantine_reason is null
