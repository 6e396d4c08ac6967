-- One row per customer with at least one email event at as_of: deliveries, engagement
-- (human opens and clicks, each event one engagement) and suppressions.
with

email_events as (
    select * from {{ ref('int_email_events_classified') }}
)

select
    customer_id,
    sum(case when event_type = 'delivered' then 1 else 0 end) as emails_delivered,
    sum(case when is_human_open then 1 else 0 end) as human_opens,
    sum(case when is_machine_open then 1 else 0 end) as machine_opens,
    sum(case when is_click then 1 else 0 end) as clicks,
    max(case when event_type = 'delivered' then occurred_at end) as last_email_delivered_at,
    max(case when is_email_engagement then occurred_at end) as last_email_engaged_at,
    sum(
        case when is_email_engagement and days_since_event <= {{ var('engaged_recent_days') }} then 1 else 0 end
    ) as email_engagements_last_90d,
    sum(
        case when is_email_engagement and days_since_event > {{ var('engaged_recent_days') }} then 1 else 0 end
    ) as email_engagements_before_last_90d,
    max(case when event_type = 'bounced' and bounce_type = 'hard' then 1 else 0 end) = 1 as has_hard_bounced,
    max(case when event_type = 'unsubscribed' then 1 else 0 end) = 1 as has_unsubscribed,
    max(case when event_type = 'marked_as_spam' then 1 else 0 end) = 1 as has_marked_as_spam
from email_events
group by customer_id
