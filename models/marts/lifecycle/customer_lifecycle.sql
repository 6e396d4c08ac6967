-- One row per customer in customer_facts: the lifecycle stage (acquisition = no valid order,
-- loyalty = VIP, retention = the rest; macro lifecycle_stage_rules names its conditions, which
-- segment_change_reasons reads too), why a VIP is one, and the lapse status: the purchase
-- cadence status for customers with 2+ orders, the churn cut-off in days for one-time buyers.
with

customer_facts as (
    select * from {{ ref('customer_facts') }}
),

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

purchase_cadence as (
    select * from {{ ref('customer_purchase_cadence') }}
),

aov_bands as (
    select * from {{ ref('int_customer_aov_bands') }}
),

-- The lifecycle VIP rule at as_of (macro vip_status; program_kpis applies it at period starts).
vip_status as (
    {{ vip_status('valid_orders', 'days_since_order', 'net_revenue') }}
),

vip_flags as (
    select
        customer_facts.customer_id,
        customer_facts.valid_orders,
        customer_facts.valid_orders > 0 as has_valid_order,
        customer_facts.days_since_last_order,
        customer_facts.as_of,
        coalesce(vip_status.orders_in_vip_window, 0) as orders_in_vip_window,
        vip_status.largest_qualifying_order_value,
        -- Customers without a valid order have no vip_status row: never VIP.
        coalesce(vip_status.is_vip_by_frequency, false) as is_vip_by_frequency,
        coalesce(vip_status.is_vip_by_order_value, false) as is_vip_by_order_value
    from customer_facts
    left join vip_status
        on customer_facts.customer_id = vip_status.customer_id
)

select
    cast(vip_flags.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast({{ lifecycle_stage_sql('vip_flags') }} as {{ dbt.type_string() }}) as lifecycle_stage,
    vip_flags.is_vip_by_frequency or vip_flags.is_vip_by_order_value as is_vip,
    cast(
        case
            when vip_flags.is_vip_by_frequency and vip_flags.is_vip_by_order_value then 'frequency_and_order_value'
            when vip_flags.is_vip_by_frequency then 'frequency'
            when vip_flags.is_vip_by_order_value then 'order_value'
        end as {{ dbt.type_string() }}
    ) as vip_reason,
    vip_flags.has_valid_order,
    vip_flags.is_vip_by_frequency,
    vip_flags.is_vip_by_order_value,
    cast(vip_flags.valid_orders as {{ dbt.type_int() }}) as valid_orders,
    cast(vip_flags.orders_in_vip_window as {{ dbt.type_int() }}) as orders_in_vip_window,
    cast(vip_flags.largest_qualifying_order_value as {{ type_money() }}) as largest_qualifying_order_value,
    cast(vip_flags.days_since_last_order as {{ dbt.type_int() }}) as days_since_last_order,
    cast(
        case
            when vip_flags.valid_orders = 0 then 'no_orders'
            when purchase_cadence.cadence_status is not null then purchase_cadence.cadence_status
            when vip_flags.days_since_last_order > {{ var('segments__churn_after_days') }} then 'churned'
            else 'single_order'
        end as {{ dbt.type_string() }}
    ) as lapse_status,
    cast(purchase_cadence.cycles_missed as {{ type_double() }}) as cycles_missed,
    cast(purchase_cadence.typical_days_between_orders as {{ type_double() }}) as typical_days_between_orders,
    cast(aov_bands.aov as {{ type_money() }}) as aov,
    cast(aov_bands.aov_band as {{ dbt.type_string() }}) as aov_band,
    {{ reporting_currency_column() }},
    cast(vip_flags.as_of as {{ dbt.type_timestamp() }}) as as_of
from vip_flags
left join purchase_cadence
    on vip_flags.customer_id = purchase_cadence.customer_id
left join aov_bands
    on vip_flags.customer_id = aov_bands.customer_id
