-- Every raw email event row with its final reason: base_email__events' own checks, then whether
-- its customer and message were staged, then the copies of one event (docs/definitions.md
-- §2.3, §2.4). ESP exports repeat events on retries; the event_id identifies the event.
-- Incremental like base_email__events, on its partitions (event_day): a build rechecks those
-- from the latest staged day minus incremental_lookback_days (and a day for offsets) on, and
-- `other`, and replaces them whole (incremental_by_partition). Of the copies of one event the
-- earliest is staged and the rest are duplicates, unless they name different customers: then no
-- copy is staged (conflicting_duplicate), since any one of them could credit the event to the
-- wrong customer. A copy of an event already staged in an earlier partition is a duplicate, or
-- a conflicting_duplicate when it names another customer; the staged copy stays. The batch,
-- staged-before-batch and ranking steps are shared with checked_web__events
-- (macros/event_batches.sql). Staged customers and messages are read from their base models
-- (quarantine_reason null, what their stg views hold), so that no staging model reads a stg view.
{{ config(on_schema_change='fail', **incremental_by_partition('event_day')) }}
with

events as (
    select * from {{ ref('base_email__events') }}
),

customers as (
    select customer_id
    from {{ ref('base_shop__customers') }}
    where quarantine_reason is null
),

messages as (
    select message_id
    from {{ ref('base_email__messages') }}
    where quarantine_reason is null
),

batch as (
    select * from events
    {{ event_batch_filter() }}
),

staged_before_batch as (
    {{ events_staged_before_batch(batch_cte='batch') }}
),

-- base_email__events' reasons come first in docs/definitions.md §2.4's order.
checked as (
    select
        batch.*,
        coalesce(
            batch.quarantine_reason,
            case
                when customers.customer_id is null then 'unknown_customer'
                when messages.message_id is null then 'unknown_message'
            end
        ) as check_failure
    from batch
    left join customers
        on batch.customer_id = customers.customer_id
    left join messages
        on batch.message_id = messages.message_id
),

ranked as (
    {{ rank_event_copies(
        checked_cte='checked',
        staged_before_batch_cte='staged_before_batch',
        tie_columns=['event_type', 'message_id', 'bounce_type', 'user_agent', 'is_flagged_machine_open'],
    ) }}
)

select
    event_id,
    message_id,
    customer_id,
    event_type,
    occurred_at,
    bounce_type,
    user_agent,
    is_flagged_machine_open,
    {{ event_quarantine_reason() }} as quarantine_reason,
    event_day
from ranked
