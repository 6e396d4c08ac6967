{#
    For a journey table (customer_id, status, as_of): every row with status `due` may be emailed
    now, re-checked on customer_facts independently of the journey models: the customer exists
    at as_of, is emailable (subscribed, not unsubscribed / hard-bounced / marked as spam) and no
    email was delivered to them less than smart_sending_hours before as_of, and the customer is
    not held out of the row's journey, re-derived from the holdout rule (macro is_held_out and the
    journey_priorities seed) rather than read from int_journey_holdouts. Returns the due rows
    that break it.
#}
{% test due_rows_are_sendable(model) %}
    with

    due_rows as (
        select * from {{ model }}
        where status = 'due'
    ),

    customer_facts as (
        select * from {{ ref('customer_facts') }}
    ),

    journey_priorities as (
        select * from {{ ref('journey_priorities') }}
    )

    select due_rows.*
    from due_rows
    left join customer_facts
        on due_rows.customer_id = customer_facts.customer_id
    left join journey_priorities
        on due_rows.journey = journey_priorities.journey
    where customer_facts.customer_id is null
        or coalesce({{ is_held_out('due_rows.customer_id', 'due_rows.journey', 'journey_priorities.holdout_share') }}, false)
        or not customer_facts.is_emailable
        or customer_facts.last_email_delivered_at
        > {{ dbt.dateadd('hour', -1 * var('segments__smart_sending_hours'), 'due_rows.as_of') }}
{% endtest %}
