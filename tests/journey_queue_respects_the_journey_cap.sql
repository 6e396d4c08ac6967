-- At most max_journey_emails journey emails per customer per journey_cap_days: the due rows of
-- journey_queue plus the journey emails (messages of type flow) delivered to the customer in the
-- last journey_cap_days x 24 h before as_of, counted here from the email tables directly, never
-- exceed max_journey_emails. Returns the customers with due rows that break it.
with

due_rows as (
    select
        customer_id,
        as_of,
        count(*) as due_emails
    from {{ ref('journey_queue') }}
    where status = 'due'
    group by customer_id, as_of
),

email_recipients as (
    select * from {{ ref('int_email_recipients') }}
),

messages as (
    select * from {{ ref('stg_email__messages') }}
    where message_type = 'flow'
),

delivered_journey_emails as (
    select
        due_rows.customer_id,
        count(*) as delivered_emails
    from due_rows
    inner join email_recipients
        on due_rows.customer_id = email_recipients.customer_id
    inner join messages
        on email_recipients.message_id = messages.message_id
    where email_recipients.delivered_at <= due_rows.as_of
        and email_recipients.delivered_at
        > {{ dbt.dateadd('hour', -24 * var('segments__journey_cap_days'), 'due_rows.as_of') }}
    group by due_rows.customer_id
)

select
    due_rows.customer_id,
    due_rows.due_emails,
    coalesce(delivered_journey_emails.delivered_emails, 0) as delivered_emails
from due_rows
left join delivered_journey_emails
    on due_rows.customer_id = delivered_journey_emails.customer_id
where due_rows.due_emails + coalesce(delivered_journey_emails.delivered_emails, 0) > {{ var('segments__max_journey_emails') }}
