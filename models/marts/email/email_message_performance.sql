-- One row per email message sent at or before as_of (grain: message_id): deliveries, bounces,
-- human and machine opens, clicks, opt-outs and attributed orders, with every rate over delivered.
-- Machine opens are reported but never count as opens.
with

messages as (
    select * from {{ ref('stg_email__messages') }}
),

recipients as (
    select * from {{ ref('int_email_recipients') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

message_counts as (
    select
        message_id,
        {{ email_recipient_counts() }}
    from recipients
    group by message_id
),

messages_sent as (
    select
        messages.*,
        as_of_point.as_of
    from messages
    cross join as_of_point
    where messages.sent_at <= as_of_point.as_of
),

joined as (
    select
        messages_sent.message_id,
        messages_sent.message_type,
        messages_sent.campaign_or_flow_name,
        messages_sent.flow_step,
        messages_sent.ab_test_id,
        messages_sent.variant,
        messages_sent.subject,
        messages_sent.sent_at,
        messages_sent.as_of,
        message_counts.recipients,
        message_counts.delivered,
        message_counts.bounces,
        message_counts.hard_bounces,
        message_counts.soft_bounces,
        message_counts.unique_human_opens,
        message_counts.human_opens,
        message_counts.machine_opens,
        message_counts.unique_clicks,
        message_counts.clicks,
        message_counts.unsubscribes,
        message_counts.spam_complaints,
        message_counts.attributed_orders,
        message_counts.attributed_purchasers,
        message_counts.attributed_revenue
    from messages_sent
    left join message_counts
        on messages_sent.message_id = message_counts.message_id
)

select
    cast(message_id as {{ dbt.type_string() }}) as message_id,
    cast(message_type as {{ dbt.type_string() }}) as message_type,
    cast(campaign_or_flow_name as {{ dbt.type_string() }}) as campaign_or_flow_name,
    cast(flow_step as {{ dbt.type_int() }}) as flow_step,
    cast(ab_test_id as {{ dbt.type_string() }}) as ab_test_id,
    cast(variant as {{ dbt.type_string() }}) as variant,
    cast(subject as {{ dbt.type_string() }}) as subject,
    cast(sent_at as {{ dbt.type_timestamp() }}) as sent_at,
    {{ email_measure_columns() }},
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from joined
