-- Every raw site event row, cast and checked on its own (see base_shop__customers for the
-- pattern). Anonymous events (no customer_id) are kept: they belong to a session and an
-- anonymous_id. Whether a customer's event names a staged customer, and the choice among copies
-- of one event, are checked_web__events'.
-- Incremental, like base_email__events: partitions are the dates written in the raw
-- occurred_at (event_day); a build replaces those from the latest day of a row that passed its
-- own checks minus incremental_lookback_days (and a day for offsets) on, and `other` (whole
-- partitions, incremental_by_partition). The batch steps are macros/event_batches.sql.
{{ config(on_schema_change='fail', **incremental_by_partition('event_day')) }}
with

source as (
    select * from {{ raw_table('web_events') }}
    {{ raw_event_batch_prefilter('occurred_at') }}
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
)

select
    event_id,
    session_id,
    customer_id,
    anonymous_id,
    event_type,
    product_id,
    occurred_at,
    case
        when
            event_id is null or session_id is null
            or (customer_id is null and anonymous_id is null)
            then 'missing_key'
        when occurred_at is null then 'unparseable_timestamp'
        when not {{ is_plausible_timestamp('occurred_at') }} then 'implausible_timestamp'
        when
            event_type is null
            or event_type not in
            ('page_view', 'category_view', 'product_view', 'add_to_cart', 'checkout_started', 'order_completed')
            then 'unknown_event_type'
    end as quarantine_reason,
    event_day
from batch
