-- One row per customer, journey and trigger instance at as_of: the journey_* models in one
-- table, each instance at its current step with status due / waiting / exited / suppressed and
-- the reason. The table a sender reads: the `due` rows are the emails to send now.
-- Across journeys a customer gets at most one journey email per build: of the steps each journey
-- has due, the journey first in the journey_priorities seed is sent, the others are held
-- (lower_priority); none is sent when the customer already had max_journey_emails journey
-- emails delivered in the last journey_cap_days (frequency_cap). A held step is not sent later:
-- like every due step, it is over once its window has passed.
-- A customer held out of a journey (int_journey_holdouts) has that journey's rows with status
-- holdout, never due: they take neither the priority slot nor a place under the cap, so the
-- next journey's due step is the one sent.
-- category_branch is the customer's top category (int_customer_product_affinity: by purchases, else by
-- counted views), the conditional split of the retention guide: one email per category variant.
with

{% set journeys = [
    'journey_welcome', 'journey_abandoned_cart', 'journey_browse_abandonment', 'journey_vip',
    'journey_winback', 'journey_replenishment', 'journey_cross_sell', 'journey_birthday', 'journey_anniversary',
    'journey_rfm_retention',
] -%}
{% for journey in journeys %}
{{ journey }} as (
    select * from {{ ref(journey) }}
),

{% endfor -%}
journey_priorities as (
    select * from {{ ref('journey_priorities') }}
),

send_eligibility as (
    select * from {{ ref('int_customer_send_eligibility') }}
),

customer_product_affinity as (
    select * from {{ ref('int_customer_product_affinity') }}
),

journey_rows as (
    {% for journey in journeys -%}
    select * from {{ journey }}
    {% if not loop.last -%}
    union all
    {% endif -%}
    {% endfor %}
),

prioritised_rows as (
    select
        journey_rows.*,
        journey_priorities.priority as journey_priority,
        coalesce(send_eligibility.is_at_journey_cap, false) as is_at_journey_cap
    from journey_rows
    left join journey_priorities
        on journey_rows.journey = journey_priorities.journey
    left join send_eligibility
        on journey_rows.customer_id = send_eligibility.customer_id
),

ranked_rows as (
    select
        *,
        -- A journey missing from the seed comes last (its relationships test fails the build).
        case
            when status = 'due'
                then row_number() over (
                    partition by customer_id, status
                    order by
                        case when journey_priority is null then 1 else 0 end,
                        journey_priority,
                        journey,
                        trigger_key
                )
        end as priority_rank
    from prioritised_rows
),

queue_statuses as (
    select
        customer_id,
        journey,
        step,
        trigger_at,
        due_at,
        -- The cap holds the customer whatever the priority, as smart sending does.
        case
            when status = 'due' and is_at_journey_cap then 'suppressed'
            when status = 'due' and priority_rank > 1 then 'suppressed'
            else status
        end as status,
        case
            when status = 'due' and is_at_journey_cap then 'frequency_cap'
            when status = 'due' and priority_rank > 1 then 'lower_priority'
            else reason
        end as reason,
        trigger_key,
        branch,
        due_until,
        exited_at,
        last_email_delivered_at,
        as_of,
        holdout_group
    from ranked_rows
),

branched_rows as (
    select
        queue_statuses.*,
        coalesce(
            customer_product_affinity.top_purchase_category, customer_product_affinity.top_view_category
        ) as category_branch
    from queue_statuses
    left join customer_product_affinity
        on queue_statuses.customer_id = customer_product_affinity.customer_id
)

select
    {{ journey_step_columns() }},
    cast(category_branch as {{ dbt.type_string() }}) as category_branch
from branched_rows
