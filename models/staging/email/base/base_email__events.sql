-- Every raw email event row, cast and checked (see base_shop__customers for the pattern).
-- ESP exports repeat events on retries; the event_id identifies the event.
with

source as (
    select * from {{ raw_table('email_events') }}
),

customers as (
    select customer_id from {{ ref('stg_shop__customers') }}
),

messages as (
    select message_id from {{ ref('stg_email__messages') }}
),

cleaned as (
    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('message_id') }} as message_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_code('event_type') }} as event_type,
        {{ parse_utc_timestamp(clean_text('occurred_at')) }} as occurred_at,
        {{ clean_code('bounce_type') }} as bounce_type,
        {{ clean_text('user_agent') }} as user_agent,
        {{ parse_boolean('is_machine_open') }} as is_flagged_machine_open,
        {{ clean_text('is_machine_open') }} as raw_is_machine_open
    from source
),

checked as (
    select
        cleaned.*,
        case
            when cleaned.event_id is null or cleaned.message_id is null or cleaned.customer_id is null
                then 'missing_key'
            when cleaned.occurred_at is null then 'unparseable_timestamp'
            when
                cleaned.event_type is null
                or cleaned.event_type not in
                ('sent', 'delivered', 'bounced', 'opened', 'clicked', 'unsubscribed', 'marked_as_spam')
                then 'unknown_event_type'
            when
                (cleaned.raw_is_machine_open is not null and cleaned.is_flagged_machine_open is null)
                or (cleaned.bounce_type is not null and cleaned.bounce_type not in ('hard', 'soft'))
                then 'unparseable_value'
            when customers.customer_id is null then 'unknown_customer'
            when messages.message_id is null then 'unknown_message'
        end as check_failure
    from cleaned
    left join customers
        on cleaned.customer_id = customers.customer_id
    left join messages
        on cleaned.message_id = messages.message_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by event_id, check_failure
            order by occurred_at, event_type
        ) as row_in_key
    from checked
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
    coalesce(
        check_failure,
        case when row_in_key > 1 then 'duplicate' end
    ) as quarantine_reason
from ranked
