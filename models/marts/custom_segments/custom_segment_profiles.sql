-- One row per customer of customer_facts at as_of: every property and fact a custom segment's
-- attribute, membership and anniversary conditions compare (docs/custom_segments.md), taken
-- from the marts that define them, so a custom segment never redefines a built-in concept.
{#- customer_predictions is built on DuckDB only (its Python models); elsewhere its columns are null. #}
{%- set predictions_built = predictions_are_built() %}
with

customer_facts as (
    select * from {{ ref('customer_facts') }}
),

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

customer_lifecycle as (
    select * from {{ ref('customer_lifecycle') }}
),

customer_purchase_cadence as (
    select * from {{ ref('customer_purchase_cadence') }}
),

customer_personas as (
    select * from {{ ref('customer_personas') }}
),

customer_rfm as (
    select * from {{ ref('customer_rfm') }}
),
{%- if predictions_built %}

customer_predictions as (
    select * from {{ ref('customer_predictions') }}
),
{%- endif %}

profiles as (
    select
        customer_facts.customer_id,
        customer_facts.country_code,
        customer_facts.days_since_created as days_since_sign_up,
        customers.acquisition_source,
        customer_facts.email_consent,
        customer_facts.tracking_consent,
        customer_facts.is_emailable,
        customer_facts.valid_orders,
        customer_facts.lifetime_net_revenue,
        customer_facts.aov,
        customer_facts.days_since_last_order,
        customer_lifecycle.lifecycle_stage,
        customer_lifecycle.is_vip,
        customer_purchase_cadence.cadence_status,
        customer_personas.primary_persona,
        customer_rfm.rfm_segment,
        customer_rfm.rfm_group,
        {%- if predictions_built %}
        customer_predictions.predicted_clv,
        customer_predictions.probability_alive,
        customer_predictions.churn_risk_band,
        {%- else %}
        cast(null as decimal(18, 2)) as predicted_clv,
        cast(null as double) as probability_alive,
        cast(null as {{ dbt.type_string() }}) as churn_risk_band,
        {%- endif %}
        {{ days_until_next_yearly('customer_facts.created_at', 'customer_facts.as_of', 1) }}
            as days_until_sign_up_anniversary,
        {{ days_until_next_yearly('customer_facts.first_order_at', 'customer_facts.as_of', 1) }}
            as days_until_first_order_anniversary,
        {{ days_until_next_yearly('customers.birth_date', 'customer_facts.as_of') }} as days_until_birthday,
        customer_facts.as_of
    from customer_facts
    left join customers on customer_facts.customer_id = customers.customer_id
    left join customer_lifecycle on customer_facts.customer_id = customer_lifecycle.customer_id
    left join customer_purchase_cadence on customer_facts.customer_id = customer_purchase_cadence.customer_id
    left join customer_personas on customer_facts.customer_id = customer_personas.customer_id
    left join customer_rfm on customer_facts.customer_id = customer_rfm.customer_id
    {%- if predictions_built %}
    left join customer_predictions on customer_facts.customer_id = customer_predictions.customer_id
    {%- endif %}
)

select * from profiles
