-- One row per email message: the usable rows of base_email__messages (the rest are in quarantined_rows).
with

checked as (
    select * from {{ ref('base_email__messages') }}
)

select
    message_id,
    message_type,
    campaign_or_flow_name,
    flow_step,
    ab_test_id,
    variant,
    subject,
    sent_at
from checked
where quarantine_reason is null
