-- Every raw site event row with its final reason: base_web__events' own checks, then whether a
-- customer's event names a staged customer, then the copies of one event (docs/definitions.md
-- §2.3, §2.4). Incremental like checked_email__events, on base_web__events' partitions
-- (event_day). Copies of one event are deduplicated as there: the earliest is staged, and copies
-- that name different customers (an anonymous copy names none) are all conflicting_duplicate,
-- or only the later one when the other is already staged in an earlier partition. The batch,
-- staged-before-batch and ranking steps are macros/event_batches.sql.
{{ config(on_schema_change='fail', **incremental_by_partition('event_day')) }}
with

events as (
    select * from {{ ref('base_web__events') }}
),

customers as (
    select customer_id
    from {{ ref('base_shop__customers') }}
    where quarantine_reason is null
),

batch as (
    select * from events
    {{ event_batch_filter() }}
),

staged_before_batch as (
    {{ events_staged_before_batch(batch_cte='batch') }}
),

-- base_web__events' reasons come first in docs/definitions.md §2.4's order.
checked as (
    select
        batch.*,
        coalesce(
            batch.quarantine_reason,
            case
                when batch.customer_id is not null and customers.customer_id is null then 'unknown_customer'
            end
        ) as check_failure
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
