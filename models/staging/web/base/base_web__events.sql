-- Every raw site event row, cast and checked (see base_shop__customers for the pattern).
-- Anonymous events (no customer_id) are kept: they belong to a session and an anonymous_id.
with

source as (
    select * from {{ raw_table('web_events') }}
),

customers as (
    select customer_id from {{ ref('stg_shop__customers') }}
),

cleaned as (
    select
        {{ clean_text('event_id') }} as event_id,
        {{ clean_text('session_id') }} as session_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('anonymous_id') }} as anonymous_id,
        {{ clean_code('event_type') }} as event_type,
        {{ clean_text('product_id') }} as product_id,
        {{ parse_utc_timestamp(clean_text('occurred_at')) }} as occurred_at
    from source
),

checked as (
    select
        cleaned.*,
        case
            when
                cleaned.event_id is null or cleaned.session_id is null
                or (cleaned.customer_id is null and cleaned.anonymous_id is null)
                then 'missing_key'
            when cleaned.occurred_at is null then 'unparseable_timestamp'
            when
                cleaned.event_type is null
                or cleaned.event_type not in
                ('page_view', 'category_view', 'product_view', 'add_to_cart', 'checkout_started', 'order_completed')
                then 'unknown_event_type'
            when cleaned.customer_id is not null and customers.customer_id is null then 'unknown_customer'
        end as check_failure
    from cleaned
    left join customers
        on cleaned.customer_id = customers.customer_id
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
    session_id,
    customer_id,
    anonymous_id,
    event_type,
    product_id,
    occurred_at,
    coalesce(
        check_failure,
        case when row_in_key > 1 then 'duplicate' end
    ) as quarantine_reason
from ranked
