-- One row per customer in int_customer_facts: whether a journey email may go out at as_of, and if
-- not, why. Permanent reasons (consent, suppressions) come first; smart sending holds a due step
-- when an email was delivered less than smart_sending_hours before as_of; the journey cap counts
-- the journey emails delivered in the last journey_cap_days (journey_queue applies it).
-- A table: every journey model reads it, and as a view each would scan the email recipients again.
{{ config(materialized='table') }}
with

customer_facts as (
    select * from {{ ref('int_customer_facts') }}
),

email_recipients as (
    select * from {{ ref('int_email_recipients') }}
),

messages as (
    select * from {{ ref('stg_email__messages') }}
),

cap_window as (
    select
        as_of,
        {{ dbt.dateadd('hour', -24 * var('segments__journey_cap_days'), 'as_of') }} as starts_after
    from {{ ref('int_as_of') }}
),

-- A journey email is a message of type flow; it counts from its delivered event.
journey_emails_in_cap_window as (
    select
        email_recipients.customer_id,
        count(*) as journey_emails_in_cap_window
    from email_recipients
    inner join messages
        on email_recipients.message_id = messages.message_id
    cross join cap_window
    where
        messages.message_type = 'flow'
        and email_recipients.delivered_at > cap_window.starts_after
        and email_recipients.delivered_at <= cap_window.as_of
    group by email_recipients.customer_id
),

eligibility as (
    select
        customer_facts.customer_id,
        customer_facts.email_consent,
        customer_facts.is_emailable,
        case
            when customer_facts.has_unsubscribed or customer_facts.email_consent = 'unsubscribed' then 'unsubscribed'
            when customer_facts.has_marked_as_spam then 'marked_as_spam'
            when customer_facts.has_hard_bounced then 'hard_bounced'
            when customer_facts.email_consent is null or customer_facts.email_consent <> 'subscribed'
                then 'no_email_consent'
        end as suppression_reason,
        customer_facts.last_email_delivered_at,
        {{ dbt.dateadd('hour', var('segments__smart_sending_hours'), 'customer_facts.last_email_delivered_at') }}
            as smart_sending_until,
        coalesce(journey_emails_in_cap_window.journey_emails_in_cap_window, 0) as journey_emails_in_cap_window,
        customer_facts.as_of
    from customer_facts
    left join journey_emails_in_cap_window
        on customer_facts.customer_id = journey_emails_in_cap_window.customer_id
)

select
    customer_id,
    email_consent,
    is_emailable,
    suppression_reason,
    last_email_delivered_at,
    smart_sending_until,
    coalesce(as_of < smart_sending_until, false) as is_in_smart_sending_window,
    cast(journey_emails_in_cap_window as {{ dbt.type_int() }}) as journey_emails_in_cap_window,
    journey_emails_in_cap_window >= {{ var('segments__max_journey_emails') }} as is_at_journey_cap,
    as_of
from eligibility
