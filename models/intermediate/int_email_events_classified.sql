-- One row per staged email event at or before as_of, with machine opens told apart from human
-- opens (SPEC §1): flagged by the source, a known prefetching user agent, or an open less than
-- machine_open_max_seconds after the message was delivered to that customer.
with

email_events as (
    select * from {{ ref('stg_email__events') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

events_until_as_of as (
    select
        email_events.*,
        as_of_point.as_of
    from email_events
    cross join as_of_point
    where email_events.occurred_at <= as_of_point.as_of
),

deliveries as (
    select
        message_id,
        customer_id,
        min(occurred_at) as delivered_at
    from events_until_as_of
    where event_type = 'delivered'
    group by message_id, customer_id
),

opens_with_delivery as (
    select
        events_until_as_of.*,
        deliveries.delivered_at,
        case
            when events_until_as_of.event_type <> 'opened' then null
            when coalesce(events_until_as_of.is_flagged_machine_open, false) then 'source_flag'
            when {% for pattern in var('machine_open_user_agent_patterns') -%}
                lower(coalesce(events_until_as_of.user_agent, '')) like {{ string_literal(pattern) }}
                {%- if not loop.last %} or {% endif %}
            {%- endfor %}
                then 'user_agent'
            when
                deliveries.delivered_at is not null
                and {{ dbt.datediff('deliveries.delivered_at', 'events_until_as_of.occurred_at', 'second') }}
                < {{ var('machine_open_max_seconds') }}
                then 'opened_right_after_delivery'
        end as machine_open_reason
    from events_until_as_of
    left join deliveries
        on events_until_as_of.message_id = deliveries.message_id
        and events_until_as_of.customer_id = deliveries.customer_id
)

select
    event_id,
    message_id,
    customer_id,
    event_type,
    occurred_at,
    bounce_type,
    user_agent,
    delivered_at,
    machine_open_reason,
    event_type = 'opened' and machine_open_reason is not null as is_machine_open,
    event_type = 'opened' and machine_open_reason is null as is_human_open,
    event_type = 'clicked' as is_click,
    (event_type = 'opened' and machine_open_reason is null) or event_type = 'clicked' as is_email_engagement,
    {{ days_since('occurred_at') }} as days_since_event
from opens_with_delivery
