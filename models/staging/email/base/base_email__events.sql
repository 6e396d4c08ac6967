-- Every raw email event row, cast and checked (see base_shop__customers for the pattern).
-- ESP exports repeat events on retries; the event_id identifies the event.
-- Incremental: rows are partitioned by the date written in the raw occurred_at
-- (event_day; `other` when it does not start with one), so a build finds the partitions to
-- reprocess without parsing history: those from the latest staged day minus
-- incremental_lookback_days (and a day for offsets) on, and `other`. It replaces those whole
-- partitions (incremental_by_partition). Of the copies of one event the earliest is staged and
-- the rest are duplicates, unless they name different customers: then no copy is staged
-- (conflicting_duplicate), since any one of them could credit the event to the wrong customer.
-- A copy of an event already staged in an earlier partition is a duplicate, or a
-- conflicting_duplicate when it names another customer; the staged copy stays. The batch,
-- staged-before-batch and ranking steps are shared with base_web__events (macros/event_batches.sql).
{{ config(on_schema_change='fail', **incremental_by_partition('event_day')) }}
with

source as (
    select * from {{ raw_table('email_events') }}
    {{ raw_event_batch_prefilter('occurred_at') }}
),

customers as (
    select customer_id from {{ ref('stg_shop__customers') }}
),

messages as (
    select message_id from {{ ref('stg_email__messages') }}
),

cleaned as (
    select
        {{ clean_id('event_id') }} as event_id,
        {{ clean_id('message_id') }} as message_id,
        {{ clean_id('customer_id') }} as customer_id,
        {{ clean_code('event_type') }} as event_type,
        {{ parse_utc_timestamp(clean_text('occurred_at')) }} as occurred_at,
        {{ written_date_partition(clean_text('occurred_at')) }} as event_day,
        {{ clean_code('bounce_type') }} as bounce_type,
        {{ clean_text('user_agent') }} as user_agent,
        {{ parse_boolean('is_machine_open') }} as is_flagged_machine_open,
        {{ clean_text('is_machine_open') }} as raw_is_machine_open
    from source
),

batch as (
    select * from cleaned
    {{ event_batch_filter() }}
),

staged_before_batch as (
    {{ events_staged_before_batch(batch_cte='batch') }}
),

checked as (
    select
        batch.*,
        case
            when batch.event_id is null or batch.message_id is null or batch.customer_id is null
                then 'missing_key'
            when batch.occurred_at is null then 'unparseable_timestamp'
            when not {{ is_plausible_timestamp('batch.occurred_at') }} then 'implausible_timestamp'
            when
                batch.event_type is null
                or batch.event_type not in
                ('sent', 'delivered', 'bounced', 'opened', 'clicked', 'unsubscribed', 'marked_as_spam')
                then 'unknown_event_type'
            when
                (batch.raw_is_machine_open is not null and batch.is_flagged_machine_open is null)
                or (batch.bounce_type is not null and batch.bounce_type not in ('hard', 'soft'))
                then 'unparseable_value'
            when customers.customer_id is null then 'unknown_customer'
            when messages.message_id is null then 'unknown_message'
        end as check_failure
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
