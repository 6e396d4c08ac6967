-- Every raw email event row, cast and checked on its own (see base_shop__customers for the
-- pattern). Whether its customer and message were staged, and the choice among copies of one
-- event, are checked_email__events'.
-- Incremental: rows are partitioned by the date written in the raw occurred_at
-- (event_day; `other` when it does not start with one), so a build finds the partitions to
-- reprocess without parsing history: those from the latest day of a row that passed its own
-- checks minus incremental_lookback_days (and a day for offsets) on, and `other`. It replaces
-- those whole partitions (incremental_by_partition). That day is never earlier than the one
-- checked_email__events starts from (it counts fewer rows), so every partition that model
-- rechecks was rebuilt here first. The batch steps are shared with base_web__events
-- (macros/event_batches.sql).
{{ config(on_schema_change='fail', **incremental_by_partition('event_day')) }}
with

source as (
    select * from {{ raw_table('email_events') }}
    {{ raw_event_batch_prefilter('occurred_at') }}
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
    case
        when event_id is null or message_id is null or customer_id is null
            then 'missing_key'
        when occurred_at is null then 'unparseable_timestamp'
        when not {{ is_plausible_timestamp('occurred_at') }} then 'implausible_timestamp'
        when
            event_type is null
            or event_type not in
            ('sent', 'delivered', 'bounced', 'opened', 'clicked', 'unsubscribed', 'marked_as_spam')
            then 'unknown_event_type'
        when
            (raw_is_machine_open is not null and is_flagged_machine_open is null)
            or (bounce_type is not null and bounce_type not in ('hard', 'soft'))
            then 'unparseable_value'
    end as quarantine_reason,
    event_day
from batch
