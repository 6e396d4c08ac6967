-- One row per staged email event, whatever as_of: the delivery of each open and whether the
-- open is a machine open (docs/definitions.md §1): flagged by the source, a known prefetching user agent, or
-- less than machine_open_max_seconds after the message was first delivered to that customer.
-- Incremental: a build reclassifies the days from the latest built day minus
-- incremental_lookback_days (whole event_date partitions, incremental_by_partition); an open in
-- those days finds its delivery among all staged events, however old, so a late open is classified as in a full build.
{{ config(on_schema_change='fail', **incremental_by_partition('event_date')) }}
with

email_events as (
    select * from {{ ref('stg_email__events') }}
    {% if is_incremental() -%}
        where {{ is_in_incremental_window('occurred_at') }}
    {%- endif %}
),

all_deliveries as (
    select
        message_id,
        customer_id,
        occurred_at
    from {{ ref('stg_email__events') }}
    where event_type = 'delivered'
),

{% if is_incremental() -%}
-- Only the deliveries of the messages opened in this run's days are needed.
opened_messages as (
    select distinct
        message_id,
        customer_id
    from email_events
    where event_type = 'opened'
),
{%- endif %}

deliveries as (
    select
        all_deliveries.message_id,
        all_deliveries.customer_id,
        min(all_deliveries.occurred_at) as delivered_at
    from all_deliveries
    {% if is_incremental() -%}
        inner join opened_messages
            on all_deliveries.message_id = opened_messages.message_id
            and all_deliveries.customer_id = opened_messages.customer_id
    {%- endif %}
    group by all_deliveries.message_id, all_deliveries.customer_id
),

opens_with_delivery as (
    select
        email_events.*,
        deliveries.delivered_at,
        case
            when email_events.event_type <> 'opened' then null
            when coalesce(email_events.is_flagged_machine_open, false) then 'source_flag'
            when {% for pattern in var('segments__machine_open_user_agent_patterns') -%}
                lower(coalesce(email_events.user_agent, '')) like '{{ pattern }}'
                {%- if not loop.last %} or {% endif %}
            {%- endfor %}
                then 'user_agent'
            when
                deliveries.delivered_at is not null
                and {{ dbt.datediff('deliveries.delivered_at', 'email_events.occurred_at', 'second') }}
                < {{ var('segments__machine_open_max_seconds') }}
                then 'opened_right_after_delivery'
        end as machine_open_reason
    from email_events
    left join deliveries
        on email_events.event_type = 'opened'
        and email_events.message_id = deliveries.message_id
        and email_events.customer_id = deliveries.customer_id
)

select
    event_id,
    message_id,
    customer_id,
    event_type,
    occurred_at,
    cast(occurred_at as date) as event_date,
    bounce_type,
    user_agent,
    delivered_at,
    machine_open_reason,
    event_type = 'opened' and machine_open_reason is not null as is_machine_open,
    event_type = 'opened' and machine_open_reason is null as is_human_open,
    event_type = 'clicked' as is_click,
    (event_type = 'opened' and machine_open_reason is null) or event_type = 'clicked' as is_email_engagement
from opens_with_delivery
