-- One row per customer in int_customer_facts: each persona definition of docs/definitions.md §5 as a boolean,
-- built from the threshold flags it combines. This is the one place the definitions live;
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
        {% if var('high_aov_threshold') is none -%}
        store_aov
        {%- else -%}
        {{ var('high_aov_threshold') }}
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
            customer_facts.days_since_last_order <= {{ var('purchase_recent_days') }}, false
        ) as is_purchase_recent,
        coalesce(
            customer_facts.days_since_last_order > {{ var('purchase_recent_days') }}
            and customer_facts.days_since_last_order <= {{ var('purchase_lapsed_max_days') }},
            false
        ) as is_purchase_lapsed,
        coalesce(
            customer_facts.days_since_last_order >= {{ var('passing_through_min_days') }}
            and customer_facts.days_since_last_order <= {{ var('purchase_lapsed_max_days') }},
            false
        ) as is_in_passing_through_window,
        coalesce(
            customer_facts.days_since_last_order <= {{ var('purchase_lapsed_max_days') }}, false
        ) as has_order_within_lapsed_window,
        customer_facts.valid_orders >= {{ var('purchase_frequent_min') }} as is_frequent_purchaser,
        coalesce(customer_facts.aov > aov_threshold.high_aov_threshold, false) as is_high_monetary,
        customer_facts.email_engagements_recent >= 1 as has_recent_email_engagement,
        customer_facts.email_engagements_recent >= {{ var('engaged_frequent_min') }}
            as is_frequent_email_engager,
        customer_facts.email_engagements_before_recent >= {{ var('engaged_frequent_min') }}
            as was_frequent_email_engager_before,
        coalesce(
            customer_facts.days_since_last_shopping_event <= {{ var('engaged_recent_days') }}, false
        ) as has_recent_shopping_event,
        coalesce(
            customer_facts.days_since_last_engagement <= {{ var('engaged_recent_days') }}, false
        ) as has_recent_engagement,
        coalesce(
            customer_facts.days_since_last_email_engagement <= {{ var('espresso_recent_days') }}, false
        ) as has_espresso_email_engagement,
        coalesce(
            customer_facts.days_since_last_order <= {{ var('espresso_recent_days') }}, false
        ) as has_espresso_order,
        -- An unknown sign-up time (nulled as implausible) never makes a profile old.
        coalesce(customer_facts.days_since_created > {{ var('profile_min_age_days') }}, false)
            as is_established_profile
    from customer_facts
    cross join aov_threshold
)

select
    *,
    is_purchase_recent and is_frequent_purchaser and is_high_monetary as is_high_roller,
    is_purchase_recent and is_frequent_purchaser and not is_high_monetary as is_brand_enthusiast,
    is_purchase_recent and not is_frequent_purchaser and is_high_monetary as is_potential_high_roller,
    is_purchase_recent and not is_frequent_purchaser and not is_high_monetary as is_potential_brand_enthusiast,
    is_purchase_lapsed and is_frequent_purchaser and is_high_monetary as is_lost_high_roller,
    is_purchase_lapsed and is_frequent_purchaser and not is_high_monetary as is_lapsed_enthusiast,
    is_purchase_lapsed and not is_frequent_purchaser and is_high_monetary as is_one_hit_wonder,
    has_purchased and not is_frequent_purchaser and is_in_passing_through_window and not is_high_monetary
        as is_just_passing_through,
    not has_purchased and is_frequent_email_engager as is_almost_there,
    not has_purchased and has_recent_shopping_event as is_window_shopper,
    not has_purchased and has_recent_email_engagement as is_waiting_for_wows,
    has_espresso_email_engagement and not has_espresso_order as is_espresso_shot,
    not has_recent_email_engagement and was_frequent_email_engager_before and is_established_profile
        as is_false_start,
    not has_order_within_lapsed_window and not has_recent_engagement and is_established_profile
        as is_dead_weight
from threshold_flags
