-- journey_abandoned_cart and program_kpis' abandoned-cart recovery rate count the carts of one
-- definition (macro abandoned_carts over site_sessions). Returns what disagrees: a journey row
-- that is no such cart (or not at its abandoned_at); a cart whose last step is not over yet
-- (so the journey must still hold it) without a journey row; a period whose cart count in
-- program_kpis (the rate's denominator) is not the number of those carts in the period whose
-- recovery window ended by as_of.
with

site_sessions as (
    select * from {{ ref('site_sessions') }}
),

journey_abandoned_cart as (
    select * from {{ ref('journey_abandoned_cart') }}
),

cart_kpi as (
    select * from {{ ref('program_kpis') }}
    where kpi = 'abandoned_cart_recovery_rate'
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

customer_facts as (
    select * from {{ ref('customer_facts') }}
),

abandoned_carts as (
    {{ abandoned_carts('site_sessions') }}
),

journey_carts as (
    select distinct
        customer_id,
        trigger_key,
        trigger_at
    from journey_abandoned_cart
),

-- Carts the journey still holds: its last step's due window has not ended at as_of (and the
-- customer exists at as_of, as journeys require).
carts_in_flow as (
    select abandoned_carts.*
    from abandoned_carts
    inner join customer_facts
        on abandoned_carts.customer_id = customer_facts.customer_id
    cross join as_of_point
    where as_of_point.as_of < {{ dbt.dateadd(
        'hour',
        (var('segments__abandoned_cart_step_hours') | max) + var('segments__journey_due_window_hours'),
        'abandoned_carts.abandoned_at',
    ) }}
),

periods as (
    select
        'before' as period,
        before_period_start as period_start,
        before_period_end as period_end,
        as_of,
        before_denominator as counted_carts
    from cart_kpi
    union all
    select
        'after' as period,
        after_period_start as period_start,
        after_period_end as period_end,
        as_of,
        after_denominator as counted_carts
    from cart_kpi
),

carts_per_period as (
    select
        periods.period,
        count(*) as carts
    from periods
    inner join abandoned_carts
        on periods.period_start < abandoned_carts.abandoned_at
        and periods.period_end >= abandoned_carts.abandoned_at
        and periods.as_of
        >= {{ dbt.dateadd('day', var('segments__cart_recovery_window_days'), 'abandoned_carts.abandoned_at') }}
    group by periods.period
),

disagreements as (
    select
        'journey_abandoned_cart row that is no abandoned cart' as disagreement,
        journey_carts.trigger_key as subject
    from journey_carts
    left join abandoned_carts
        on journey_carts.customer_id = abandoned_carts.customer_id
        and journey_carts.trigger_key = abandoned_carts.session_id
        and journey_carts.trigger_at = abandoned_carts.abandoned_at
    where abandoned_carts.session_id is null
    union all
    select
        'abandoned cart in flow without a journey_abandoned_cart row' as disagreement,
        carts_in_flow.session_id as subject
    from carts_in_flow
    left join journey_carts
        on carts_in_flow.customer_id = journey_carts.customer_id
        and carts_in_flow.session_id = journey_carts.trigger_key
    where journey_carts.trigger_key is null
    union all
    select
        'program_kpis cart count differs from the abandoned carts of the period' as disagreement,
        periods.period as subject
    from periods
    left join carts_per_period
        on periods.period = carts_per_period.period
    where periods.counted_carts <> coalesce(carts_per_period.carts, 0)
)

select * from disagreements
