-- One row per build as_of, customer and named condition of a segment rule whose outcome or fact
-- changed since the customer's previous recorded row (segment_rule_inputs): the inputs that
-- decided every customer's memberships, members or not, so that segment_change_reasons can give
-- the facts before an entry. The state at a build is each condition's latest row at or before
-- it. Only changes are stored: a first build records every customer, later builds what moved
-- (an order, an engagement, a flag crossing its threshold). A condition that no longer exists
-- for a customer (the customer or the custom segment leaf is gone) gets a row with outcome null.
-- Incremental by as_of like segment_history, forward only, never fully refreshed.
-- depends_on: {{ ref('int_as_of') }}
{{ config(**history_config()) }}
with

rule_inputs as (
    select * from {{ ref('segment_rule_inputs') }}
),
{%- if is_incremental() %}

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

recorded as (
    select * from {{ this }}
),

-- The last row before this build (a rebuild of an instant replaces its own rows, so they do not count).
ranked_recorded as (
    select
        recorded.*,
        row_number() over (
            partition by recorded.customer_id, recorded.condition_name
            order by recorded.as_of desc
        ) as recency_rank
    from recorded
    cross join as_of_point
    where recorded.as_of < as_of_point.as_of
),

latest_recorded as (
    select * from ranked_recorded
    where recency_rank = 1
),

changed as (
    select
        rule_inputs.customer_id,
        rule_inputs.condition_name,
        rule_inputs.outcome,
        rule_inputs.fact_name,
        rule_inputs.fact_value,
        rule_inputs.fact_kind,
        rule_inputs.as_of
    from rule_inputs
    left join latest_recorded
        on rule_inputs.customer_id = latest_recorded.customer_id
        and rule_inputs.condition_name = latest_recorded.condition_name
    where latest_recorded.customer_id is null
        or latest_recorded.outcome is null
        or rule_inputs.outcome <> latest_recorded.outcome
        or coalesce(rule_inputs.fact_value, '') <> coalesce(latest_recorded.fact_value, '')
        or rule_inputs.fact_name <> latest_recorded.fact_name
        or rule_inputs.fact_kind <> latest_recorded.fact_kind

    union all

    select
        latest_recorded.customer_id,
        latest_recorded.condition_name,
        cast(null as {{ dbt.type_string() }}) as outcome,
        latest_recorded.fact_name,
        cast(null as {{ dbt.type_string() }}) as fact_value,
        latest_recorded.fact_kind,
        as_of_point.as_of
    from latest_recorded
    cross join as_of_point
    left join rule_inputs
        on latest_recorded.customer_id = rule_inputs.customer_id
        and latest_recorded.condition_name = rule_inputs.condition_name
    where rule_inputs.customer_id is null
        and latest_recorded.outcome is not null
)
{%- else %}

changed as (
    select * from rule_inputs
)
{%- endif %}

select
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of,
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(condition_name as {{ dbt.type_string() }}) as condition_name,
    cast(outcome as {{ dbt.type_string() }}) as outcome,
    cast(fact_name as {{ dbt.type_string() }}) as fact_name,
    cast(fact_value as {{ dbt.type_string() }}) as fact_value,
    cast(fact_kind as {{ dbt.type_string() }}) as fact_kind
from changed
{{ records_only_forward() }}
