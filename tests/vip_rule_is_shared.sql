-- Every VIP figure comes from the one lifecycle VIP rule (macro vip_status). Returns what
-- disagrees: a customer VIP at as_of by customer_lifecycle but not by the rule applied to the
-- valid orders directly, or the reverse; a VIP of customer_lifecycle without a journey_vip row,
-- or the reverse; a period whose VIP count in program_kpis (the VIP repurchase rate's
-- denominator) is not the number of VIPs by the rule at that period's start.
with

customer_lifecycle as (
    select * from {{ ref('customer_lifecycle') }}
),

journey_vip as (
    select * from {{ ref('journey_vip') }}
),

vip_kpi as (
    select * from {{ ref('program_kpis') }}
    where kpi = 'vip_repurchase_rate'
),

valid_orders as (
    select
        customer_id,
        ordered_at,
        net_revenue,
        days_since_order
    from {{ ref('int_orders') }}
    where is_valid_order
),

rule_at_as_of as (
    {{ vip_status('valid_orders', 'days_since_order', 'net_revenue') }}
),

period_starts as (
    select
        'before' as period,
        before_period_start as period_start,
        before_denominator as counted_vips
    from vip_kpi
    union all
    select
        'after' as period,
        after_period_start as period_start,
        after_denominator as counted_vips
    from vip_kpi
),

orders_before_start as (
    select
        period_starts.period,
        valid_orders.customer_id,
        valid_orders.net_revenue,
        {{ days_since('valid_orders.ordered_at', 'period_starts.period_start') }}
            as days_before_start
    from period_starts
    inner join valid_orders
        on period_starts.period_start >= valid_orders.ordered_at
),

rule_at_start as (
    {{ vip_status('orders_before_start', 'days_before_start', 'net_revenue', key_columns=['period']) }}
),

vips_at_start as (
    select
        period,
        sum(case when is_vip then 1 else 0 end) as vips
    from rule_at_start
    group by period
),

lifecycle_vips as (
    select customer_id from customer_lifecycle
    where is_vip
),

-- Among the customers that exist at as_of (customer_lifecycle's rows), as customer_lifecycle.
rule_vips as (
    select rule_at_as_of.customer_id
    from rule_at_as_of
    inner join customer_lifecycle
        on rule_at_as_of.customer_id = customer_lifecycle.customer_id
    where rule_at_as_of.is_vip
),

journey_vips as (
    select distinct customer_id from journey_vip
),

disagreements as (
    select
        'VIP in customer_lifecycle, not by the rule' as disagreement,
        lifecycle_vips.customer_id as subject
    from lifecycle_vips
    left join rule_vips
        on lifecycle_vips.customer_id = rule_vips.customer_id
    where rule_vips.customer_id is null
    union all
    select
        'VIP by the rule, not in customer_lifecycle' as disagreement,
        rule_vips.customer_id as subject
    from rule_vips
    left join lifecycle_vips
        on rule_vips.customer_id = lifecycle_vips.customer_id
    where lifecycle_vips.customer_id is null
    union all
    select
        'VIP in customer_lifecycle, not in journey_vip' as disagreement,
        lifecycle_vips.customer_id as subject
    from lifecycle_vips
    left join journey_vips
        on lifecycle_vips.customer_id = journey_vips.customer_id
    where journey_vips.customer_id is null
    union all
    select
        'in journey_vip, not VIP in customer_lifecycle' as disagreement,
        journey_vips.customer_id as subject
    from journey_vips
    left join lifecycle_vips
        on journey_vips.customer_id = lifecycle_vips.customer_id
    where lifecycle_vips.customer_id is null
    union all
    select
        'program_kpis VIP count differs from the rule at the period start' as disagreement,
        period_starts.period as subject
    from period_starts
    left join vips_at_start
        on period_starts.period = vips_at_start.period
    where period_starts.counted_vips <> coalesce(vips_at_start.vips, 0)
)

select * from disagreements
