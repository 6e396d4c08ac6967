-- One row per purchaser at as_of: the BG/NBD and gamma-gamma inputs, exactly as lifetimes'
-- summary_data_from_transaction_data (freq='D') defines them. The unit is the order day: two
-- valid orders on one UTC day are one purchase worth their summed net revenue.
with

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

order_days as (
    select
        customer_id,
        cast(ordered_at as date) as order_date,
        sum(net_revenue) as day_net_revenue
    from valid_orders
    group by customer_id, cast(ordered_at as date)
),

first_order_days as (
    select
        customer_id,
        min(order_date) as first_order_date
    from order_days
    group by customer_id
),

customer_order_days as (
    select
        order_days.customer_id,
        first_order_days.first_order_date,
        max(order_days.order_date) as last_order_date,
        count(*) as order_day_count,
        -- The first day is the acquisition, not a repeat purchase: lifetimes leaves its spend
        -- out of the monetary mean.
        sum(
            case when order_days.order_date > first_order_days.first_order_date then order_days.day_net_revenue end
        ) as repeat_net_revenue
    from order_days
    inner join first_order_days
        on order_days.customer_id = first_order_days.customer_id
    group by order_days.customer_id, first_order_days.first_order_date
),

summary as (
    select
        customer_order_days.*,
        as_of_point.as_of
    from customer_order_days
    cross join as_of_point
),

spans as (
    select
        *,
        {{ dbt.datediff('first_order_date', 'last_order_date', 'day') }}
            as recency,
        {{ days_since('first_order_date') }} as t
    from summary
)

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(first_order_date as date) as first_order_date,
    cast(last_order_date as date) as last_order_date,
    cast(order_day_count - 1 as {{ dbt.type_int() }}) as frequency,
    cast(recency as {{ dbt.type_int() }}) as recency,
    cast(t as {{ dbt.type_int() }}) as t,
    -- lifetimes gives 0 (not null) to customers without a repeat purchase. Double before the
    -- division, so that no engine rounds the mean to a decimal scale.
    cast(
        case
            when order_day_count > 1
                then cast(repeat_net_revenue as {{ type_double() }}) / (order_day_count - 1)
            else 0
        end as {{ type_double() }}
    ) as monetary,
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from spans
