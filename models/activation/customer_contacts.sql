-- One row per customer of customer_facts: the customer's name and email address with what decides
-- whether they may be contacted (docs/definitions.md §1.7, §8). The one model that holds names and
-- email addresses: the email channel and exports join it, every other model keys on customer_id.
with

customers as (
    select
        customer_id,
        email,
        first_name,
        last_name
    from {{ ref('stg_shop__customers') }}
),

customer_facts as (
    select
        customer_id,
        email_consent,
        tracking_consent,
        requires_tracking_consent,
        has_hard_bounced,
        has_unsubscribed,
        has_marked_as_spam,
        is_suppressed,
        is_emailable,
        as_of
    from {{ ref('customer_facts') }}
),

contacts as (
    select
        customer_facts.customer_id,
        -- Ad platforms match on the hash of exactly this text, so it is normalised here once.
        nullif(lower(trim(customers.email)), '') as email,
        customers.first_name,
        customers.last_name,
        customer_facts.email_consent,
        customer_facts.tracking_consent,
        customer_facts.requires_tracking_consent,
        customer_facts.has_hard_bounced,
        customer_facts.has_unsubscribed,
        customer_facts.has_marked_as_spam,
        customer_facts.is_suppressed,
        customer_facts.is_emailable,
        customer_facts.as_of
    from customer_facts
    inner join customers
        on customer_facts.customer_id = customers.customer_id
)

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(email as {{ dbt.type_string() }}) as email,
    cast(first_name as {{ dbt.type_string() }}) as first_name,
    cast(last_name as {{ dbt.type_string() }}) as last_name,
    cast(email_consent as {{ dbt.type_string() }}) as email_consent,
    tracking_consent,
    requires_tracking_consent,
    has_hard_bounced,
    has_unsubscribed,
    has_marked_as_spam,
    is_suppressed,
    is_emailable,
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from contacts
