-- One row per customer with at least one email event at as_of: deliveries, engagement
-- (human opens and clicks, each event one engagement) and suppressions. The days before as_of's
-- day come from the daily rollup; as_of's own day is counted from its events up to as_of (macro
-- customer_days_at_as_of).
-- A table: at a million customers, computing it once beats inlining it into every
-- model and test that reads it.
{{ config(materialized='table') }}
{%- set engaged_recent_days = var('segments__engaged_recent_days') %}
with

daily_engagement as (
    select * from {{ ref('int_customer_daily_email_engagement') }}
),

events_until_as_of as (
    select * from {{ ref('int_email_events_classified') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

{{ customer_days_at_as_of(
    'daily_engagement',
    'events_until_as_of',
    'as_of_point',
    day_measures=email_day_measures(),
    day_columns=email_day_columns(),
) }}

select
    customer_id,
    sum(emails_delivered) as emails_delivered,
    sum(human_opens) as human_opens,
    sum(machine_opens) as machine_opens,
    sum(clicks) as clicks,
    max(last_email_delivered_at) as last_email_delivered_at,
    max(last_email_engaged_at) as last_email_engaged_at,
    sum(
        case
            when {{ days_since('activity_date') }} <= {{ engaged_recent_days }}
                then email_engagements
            else 0
        end
    ) as email_engagements_recent,
    sum(
        case
            when {{ days_since('activity_date') }} > {{ engaged_recent_days }}
                then email_engagements
            else 0
        end
    ) as email_engagements_before_recent,
    sum(hard_bounces) > 0 as has_hard_bounced,
    sum(unsubscribes) > 0 as has_unsubscribed,
    sum(spam_complaints) > 0 as has_marked_as_spam
from customer_days_at_as_of
group by customer_id
