-- One row per customer in int_customer_facts: whether a journey email may go out at as_of, and if
-- not, why. Permanent reasons (consent, suppressions) come first; smart sending holds a due step
-- when an email was delivered less than smart_sending_hours before as_of.
with

customer_facts as (
    select * from {{ ref('int_customer_facts') }}
),

eligibility as (
    select
        customer_id,
        email_consent,
        is_emailable,
        case
            when has_unsubscribed or email_consent = 'unsubscribed' then 'unsubscribed'
            when has_marked_as_spam then 'marked_as_spam'
            when has_hard_bounced then 'hard_bounced'
            when email_consent is null or email_consent <> 'subscribed' then 'no_email_consent'
        end as suppression_reason,
        last_email_delivered_at,
        {{ dbt.dateadd('hour', var('smart_sending_hours'), 'last_email_delivered_at') }} as smart_sending_until,
        as_of
    from customer_facts
)

select
    customer_id,
    email_consent,
    is_emailable,
    suppression_reason,
    last_email_delivered_at,
    smart_sending_until,
    coalesce(as_of < smart_sending_until, false) as is_in_smart_sending_window,
    as_of
from eligibility
