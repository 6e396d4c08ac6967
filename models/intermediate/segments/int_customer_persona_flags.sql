-- One row per customer in int_customer_facts: each persona definition of docs/definitions.md §5 as a boolean,
-- built from the threshold flags it combines (macro persona_conditions). This is the one place the definitions live;
-- int_persona_memberships unpivots it and customer_personas ranks it.
-- A table: at a million customers, computing it once beats inlining it into every
-- model and test that reads it.
{{ config(materialized='table') }}
with

customer_facts as (
    select * from {{ ref('int_customer_facts') }}
),

store_aov as (
    select {{ divide_half_up('sum(lifetime_net_revenue)', 'sum(valid_orders)') }} as store_aov
    from customer_facts
),

aov_threshold as (
    select
        {% if var('segments__high_aov_threshold') is none -%}
        store_aov
        {%- else -%}
        {{ var('segments__high_aov_threshold') }}
        {%- endif %} as high_aov_threshold
    from store_aov
),

threshold_flags as (
    select
        customer_facts.customer_id,
        customer_facts.valid_orders,
        customer_facts.aov,
        aov_threshold.high_aov_threshold,
        customer_facts.days_since_last_order,
        customer_facts.email_engagements_recent,
        customer_facts.email_engagements_before_recent,
        customer_facts.days_since_last_email_engagement,
        customer_facts.days_since_last_shopping_event,
        customer_facts.days_since_last_engagement,
        customer_facts.days_since_created,
        customer_facts.valid_orders >= 1 as has_purchased,
        coalesce(
            customer_facts.days_since_last_order <= {{ var('segments__purchase_recent_days') }}, false
        ) as is_purchase_recent,
        coalesce(
            customer_facts.days_since_last_order > {{ var('segments__purchase_recent_days') }}
            and customer_facts.days_since_last_order <= {{ var('segments__purchase_lapsed_max_days') }},
            false
        ) as is_purchase_lapsed,
        coalesce(
            customer_facts.days_since_last_order >= {{ var('segments__passing_through_min_days') }}
            and customer_facts.days_since_last_order <= {{ var('segments__purchase_lapsed_max_days') }},
            false
        ) as is_in_passing_through_window,
        coalesce(
            customer_facts.days_since_last_order <= {{ var('segments__purchase_lapsed_max_days') }}, false
        ) as has_order_within_lapsed_window,
        customer_facts.valid_orders >= {{ var('segments__purchase_frequent_min') }} as is_frequent_purchaser,
        coalesce(customer_facts.aov > aov_threshold.high_aov_threshold, false) as is_high_monetary,
        customer_facts.email_engagements_recent >= 1 as has_recent_email_engagement,
        customer_facts.email_engagements_recent >= {{ var('segments__engaged_frequent_min') }}
            as is_frequent_email_engager,
        customer_facts.email_engagements_before_recent >= {{ var('segments__engaged_frequent_min') }}
            as was_frequent_email_engager_before,
        coalesce(
            customer_facts.days_since_last_shopping_event <= {{ var('segments__engaged_recent_days') }}, false
        ) as has_recent_shopping_event,
        coalesce(
            customer_facts.days_since_last_engagement <= {{ var('segments__engaged_recent_days') }}, false
        ) as has_recent_engagement,
        coalesce(
            customer_facts.days_since_last_email_engagement <= {{ var('segments__espresso_recent_days') }}, false
        ) as has_espresso_email_engagement,
        coalesce(
            customer_facts.days_since_last_order <= {{ var('segments__espresso_recent_days') }}, false
        ) as has_espresso_order,
        -- An unknown sign-up time (nulled as implausible) never makes a profile old.
        coalesce(customer_facts.days_since_created > {{ var('segments__profile_min_age_days') }}, false)
            as is_established_profile
    from customer_facts
    cross join aov_threshold
)

{%- set persona_columns = [] %}
{%- for persona_flag, conditions in persona_conditions().items() %}
{%- do persona_columns.append(conditions | join(' and ') ~ ' as ' ~ persona_flag) %}
{%- endfor %}

select
    *,
    {{ persona_columns | join(',\n    ') }}
from threshold_flags
