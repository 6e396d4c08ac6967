-- One row per message and recipient (grain: message_id + customer_id) at as_of: whether it was
-- delivered, bounced, opened by a person, clicked, unsubscribed from or reported as spam, and the
-- valid orders credited to it. Machine opens are counted apart and never make an open.
-- The message's own columns (campaign, flow step, A/B variant, subject) are not repeated here:
-- stg_email__messages has them on message_id, and writing them 20M times at a million customers
-- cost a fifth of this model. The join to messages keeps recipients of known messages.
-- A table, not a view: four models read it (and their tests), and a view would classify every
-- email event again for each of them.
{{ config(materialized='table') }}

with

email_events as (
    select * from {{ ref('int_email_events_classified') }}
),

messages as (
    select * from {{ ref('stg_email__messages') }}
),

order_attribution as (
    select * from {{ ref('int_order_attribution') }}
),

recipient_events as (
    select
        message_id,
        customer_id,
        min(occurred_at) as first_event_at,
        min(case when event_type = 'sent' then occurred_at end) as sent_at,
        min(case when event_type = 'delivered' then occurred_at end) as delivered_at,
        count(case when event_type = 'bounced' then 1 end) as bounce_events,
        count(case when event_type = 'bounced' and bounce_type = 'hard' then 1 end) as hard_bounce_events,
        count(case when is_human_open then 1 end) as human_opens,
        count(case when is_machine_open then 1 end) as machine_opens,
        count(case when is_click then 1 end) as clicks,
        count(case when event_type = 'unsubscribed' then 1 end) as unsubscribe_events,
        count(case when event_type = 'marked_as_spam' then 1 end) as spam_complaint_events,
        min(case when is_human_open then occurred_at end) as first_human_open_at,
        min(case when is_click then occurred_at end) as first_click_at
    from email_events
    group by message_id, customer_id
),

credited_orders as (
    select
        message_id,
        customer_id,
        count(*) as attributed_orders,
        sum(net_revenue) as attributed_revenue
    from order_attribution
    group by message_id, customer_id
)

select
    recipient_events.message_id,
    recipient_events.customer_id,
    -- The recipient's own send instant; flows send one message at many times.
    coalesce(recipient_events.sent_at, recipient_events.delivered_at, recipient_events.first_event_at) as sent_at,
    recipient_events.delivered_at,
    -- An open, click or opt-out proves delivery when the export lacks the delivered event.
    (
        recipient_events.delivered_at is not null
        or recipient_events.human_opens + recipient_events.machine_opens + recipient_events.clicks
        + recipient_events.unsubscribe_events + recipient_events.spam_complaint_events > 0
    ) as is_delivered,
    recipient_events.bounce_events > 0 as is_bounced,
    recipient_events.hard_bounce_events > 0 as is_hard_bounce,
    recipient_events.bounce_events > 0 and recipient_events.hard_bounce_events = 0 as is_soft_bounce,
    recipient_events.human_opens,
    recipient_events.machine_opens,
    recipient_events.clicks,
    recipient_events.human_opens > 0 as has_human_open,
    recipient_events.clicks > 0 as has_click,
    recipient_events.unsubscribe_events > 0 as has_unsubscribed,
    recipient_events.spam_complaint_events > 0 as has_marked_as_spam,
    recipient_events.first_human_open_at,
    recipient_events.first_click_at,
    coalesce(credited_orders.attributed_orders, 0) as attributed_orders,
    coalesce(credited_orders.attributed_revenue, 0) as attributed_revenue
from recipient_events
inner join messages
    on recipient_events.message_id = messages.message_id
left join credited_orders
    on recipient_events.message_id = credited_orders.message_id
    and recipient_events.customer_id = credited_orders.customer_id
