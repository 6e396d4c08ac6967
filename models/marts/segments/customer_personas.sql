-- One row per customer in customer_facts: the primary persona (the met persona of lowest
-- precedence in persona_catalog, else Unclassified) with the flags and numbers that decided it.
with

persona_flags as (
    select * from {{ ref('int_customer_persona_flags') }}
),

persona_memberships as (
    select * from {{ ref('int_persona_memberships') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

ranked_memberships as (
    select
        customer_id,
        persona_name,
        count(*) over (partition by customer_id) as persona_count,
        row_number() over (partition by customer_id order by precedence asc nulls last) as precedence_order
    from persona_memberships
),

primary_persona as (
    select
        customer_id,
        persona_name,
        persona_count
    from ranked_memberships
    where precedence_order = 1
)

select
    cast(persona_flags.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(coalesce(primary_persona.persona_name, 'Unclassified') as {{ dbt.type_string() }}) as primary_persona,
    cast(coalesce(primary_persona.persona_count, 0) as {{ dbt.type_int() }}) as persona_count,
    persona_flags.has_purchased,
    persona_flags.is_purchase_recent,
    persona_flags.is_purchase_lapsed,
    persona_flags.is_in_passing_through_window,
    persona_flags.is_frequent_purchaser,
    persona_flags.is_high_monetary,
    persona_flags.has_recent_email_engagement,
    persona_flags.is_frequent_email_engager,
    persona_flags.was_frequent_email_engager_before,
    persona_flags.has_recent_shopping_event,
    persona_flags.has_recent_engagement,
    persona_flags.is_established_profile,
    cast(persona_flags.valid_orders as {{ dbt.type_int() }}) as valid_orders,
    cast(persona_flags.days_since_last_order as {{ dbt.type_int() }}) as days_since_last_order,
    cast(persona_flags.aov as {{ type_money() }}) as aov,
    cast(persona_flags.high_aov_threshold as {{ type_money() }}) as high_aov_threshold,
    cast(persona_flags.email_engagements_recent as {{ dbt.type_int() }}) as email_engagements_recent,
    cast(persona_flags.email_engagements_before_recent as {{ dbt.type_int() }})
        as email_engagements_before_recent,
    cast(persona_flags.days_since_last_email_engagement as {{ dbt.type_int() }})
        as days_since_last_email_engagement,
    cast(persona_flags.days_since_last_engagement as {{ dbt.type_int() }}) as days_since_last_engagement,
    cast(persona_flags.days_since_created as {{ dbt.type_int() }}) as days_since_created,
    {{ reporting_currency_column() }},
    cast(as_of_point.as_of as {{ dbt.type_timestamp() }}) as as_of
from persona_flags
cross join as_of_point
left join primary_persona
    on persona_flags.customer_id = primary_persona.customer_id
