-- Every raw site event row, cast and checked (see base_shop__customers for the pattern).
-- Anonymous events (no customer_id) are kept: they belong to a session and an anonymous_id.
-- Incremental, like base_email__events: partitions are the dates written in the raw
-- occurred_at (event_day); a build replaces those from the latest staged day minus
-- incremental_lookback_days (and a day for offsets) on, and `other` (whole partitions,
-- incremental_by_partition). Copies of one event are deduplicated as there: the earliest is
-- staged, and copies that name different customers (an anonymous copy names none) are all
-- conflicting_duplicate, or only the later one when the other is already staged in an earlier
-- partition. The batch, staged-before-batch and ranking steps are macros/event_batches.sql.
{{ config(on_schema_change='fail', **incremental_by_partition('event_day')) }}
with

source as (
    select * from {{ raw_table('web_events') }}
    {{ raw_event_batch_prefilter('occurred_at') }}
),

customers as (
    select customer_id from {{ ref('stg_shop__customers') }}
),

cleaned as (
    select
        {{ clean_id('event_id') }} as event_id,
        {{ clean_id('session_id') }} as session_id,
        {{ clean_id('customer_id') }} as customer_id,
        {{ clean_id('anonymous_id') }} as anonymous_id,
        {{ clean_code('event_type') }} as event_type,
        {{ clean_id('product_id') }} as product_id,
        {{ parse_utc_timestamp(clean_text('occurred_at')) }} as occurred_at,
        {{ written_date_partition(clean_text('occurred_at')) }} as event_day
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
            when
                batch.event_id is null or batch.session_id is null
                or (batch.customer_id is null and batch.anonymous_id is null)
                then 'missing_key'
            when batch.occurred_at is null then 'unparseable_timestamp'
            when not {{ is_plausible_timestamp('batch.occurred_at') }} then 'implausible_timestamp'
            when
                batch.event_type is null
                or batch.event_type not in
                ('page_view', 'category_view', 'product_view', 'add_to_cart', 'checkout_started', 'order_completed')
                then 'unknown_event_type'
            when batch.customer_id is not null and customers.customer_id is null then 'unknown_customer'
        end as check_failure
    from batch
    left join customers
        on batch.customer_id = customers.customer_id
),

ranked as (
    {{ rank_event_copies(
        checked_cte='checked',
        staged_before_batch_cte='staged_before_batch',
        tie_columns=['event_type', 'session_id', 'anonymous_id', 'product_id'],
    ) }}
)

select
    event_id,
    session_id,
    customer_id,
    anonymous_id,
    event_type,
    product_id,
    occurred_at,
    {{ event_quarantine_reason() }} as quarantine_reason,
    event_day
from ranked
