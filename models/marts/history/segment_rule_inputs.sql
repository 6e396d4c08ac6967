-- One row per customer of int_customer_facts and named condition of a segment rule at as_of: the
-- condition's outcome and the fact it reads, what segment_input_history records per build so that
-- segment_change_reasons can say which condition flipped. The outcomes are the columns that
-- decide membership, not a second copy of the rules: the persona threshold flags
-- (macro persona_conditions names them), the RFM scores, the lifecycle stage conditions of
-- customer_lifecycle (macro lifecycle_stage_rules), and each custom segment leaf compiled by
-- custom_segment_condition_sql. A fact that is days since a date is recorded as the date
-- (fact_kind days_since), which changes only when something happens.
{%- set segments = custom_segment_definitions() %}
{%- set leaves = custom_segment_leaf_conditions(segments) %}
{%- set flag_conditions = [] %}
{%- for condition, input in persona_condition_facts().items() %}
{%- do flag_conditions.append((condition, input, 'persona_inputs')) %}
{%- endfor %}
{%- for condition, input in lifecycle_condition_facts().items() %}
{%- do flag_conditions.append((condition, input, 'customer_lifecycle')) %}
{%- endfor %}
-- depends_on: {{ ref('int_persona_memberships') }}
with

threshold_flags as (
    select * from {{ ref('int_customer_persona_flags') }}
),

customer_facts as (
    select * from {{ ref('int_customer_facts') }}
),

customer_rfm as (
    select * from {{ ref('customer_rfm') }}
),

customer_lifecycle as (
    select * from {{ ref('customer_lifecycle') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

{{ custom_segment_inputs(segments) }},

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

customer_dates as (
    select
        customer_facts.customer_id,
        customer_facts.last_order_at,
        customer_facts.first_order_at,
        customer_facts.created_at,
        customer_facts.last_shopping_event_at,
        customer_facts.last_engaged_at,
        customer_facts.last_email_engaged_at,
        customers.birth_date
    from customer_facts
    left join customers on customer_facts.customer_id = customers.customer_id
),

persona_inputs as (
    select
        threshold_flags.*,
        customer_dates.last_order_at,
        customer_dates.created_at,
        customer_dates.last_shopping_event_at,
        customer_dates.last_engaged_at,
        customer_dates.last_email_engaged_at
    from threshold_flags
    inner join customer_dates on threshold_flags.customer_id = customer_dates.customer_id
),

-- The persona threshold flags and the lifecycle conditions: boolean columns of their model, each
-- recorded with the column of its fact.
flag_conditions as (
    {%- for condition, input, relation in flag_conditions %}
    {%- if not loop.first %}

    union all
    {%- endif %}

    select
        customer_id,
        {{ string_literal(condition) }} as condition_name,
        {{ as_text(condition) }} as outcome,
        {{ string_literal(input.fact) }} as fact_name,
        cast({{ input.recorded }} as {{ dbt.type_string() }}) as fact_value,
        {{ string_literal('days_since' if input.recorded.endswith('_at') else 'value') }} as fact_kind
    from {{ relation }}
    {%- endfor %}
),

rfm_conditions as (
    {%- for score, fact, recorded, kind in [
        ('r_score', 'recency_days', 'customer_dates.last_order_at', 'days_since'),
        ('f_score', 'frequency', 'customer_rfm.frequency', 'value'),
        ('m_score', 'monetary', 'customer_rfm.monetary', 'value'),
    ] %}
    {%- if not loop.first %}

    union all
    {%- endif %}

    select
        customer_dates.customer_id,
        {{ string_literal(score) }} as condition_name,
        {{ as_text('customer_rfm.' ~ score) }} as outcome,
        {{ string_literal(fact) }} as fact_name,
        -- Recorded for purchasers only: a customer without a valid order has no score.
        cast(case when customer_rfm.customer_id is not null then {{ recorded }} end as {{ dbt.type_string() }})
            as fact_value,
        {{ string_literal(kind) }} as fact_kind
    from customer_dates
    left join customer_rfm on customer_dates.customer_id = customer_rfm.customer_id
    {%- endfor %}
),

custom_conditions as (
    {%- for leaf in leaves %}
    {%- if not loop.first %}

    union all
    {%- endif %}

    select
        customer_inputs.customer_id,
        {{ string_literal(leaf.name) }} as condition_name,
        {{ as_text(leaf.sql) }} as outcome,
        {{ string_literal(leaf.subject) }} as fact_name,
        cast({{ leaf.value_sql }} as {{ dbt.type_string() }}) as fact_value,
        {{ string_literal(leaf.value_kind) }} as fact_kind
    from customer_inputs
    left join customer_dates on customer_inputs.customer_id = customer_dates.customer_id
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as condition_name,
        cast(null as {{ dbt.type_string() }}) as outcome,
        cast(null as {{ dbt.type_string() }}) as fact_name,
        cast(null as {{ dbt.type_string() }}) as fact_value,
        cast(null as {{ dbt.type_string() }}) as fact_kind
    where 1 = 0
    {%- endfor %}
),

conditions as (
    select * from flag_conditions
    union all
    select * from rfm_conditions
    union all
    select * from custom_conditions
)

select
    cast(conditions.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(conditions.condition_name as {{ dbt.type_string() }}) as condition_name,
    cast(conditions.outcome as {{ dbt.type_string() }}) as outcome,
    cast(conditions.fact_name as {{ dbt.type_string() }}) as fact_name,
    cast(conditions.fact_value as {{ dbt.type_string() }}) as fact_value,
    cast(conditions.fact_kind as {{ dbt.type_string() }}) as fact_kind,
    cast(as_of_point.as_of as {{ dbt.type_timestamp() }}) as as_of
from conditions
cross join as_of_point
