-- One row per purchaser at as_of: the BG/NBD and gamma-gamma predictions (computed in
-- customer_btyd_scores) with the churn risk band, likely buyer flag and next order date a
-- marketer uses, and whether the store's data is deep enough to trust them.
with

scores as (
    select * from {{ ref('customer_btyd_scores') }}
),

parameters as (
    select * from {{ ref('btyd_parameters') }}
),

readiness as (
    select * from {{ ref('rfm_report_readiness') }}
),

fit_status as (
    select min(case when is_converged then 1 else 0 end) = 1 as are_fits_converged
    from parameters
),

ranked_scores as (
    select
        *,
        count(*) over () as purchaser_count,
        -- Ties share a rank, so customers tied at the cut-off are all in; no score ranks last.
        rank() over (
            order by case when expected_orders_30d is null then 1 else 0 end, expected_orders_30d desc
        ) as likely_buyer_rank
    from scores
),

predictions as (
    select
        ranked_scores.*,
        case
            when ranked_scores.probability_alive < {{ var('segments__churn_risk_high_below') }} then 'high'
            when ranked_scores.probability_alive < {{ var('segments__churn_risk_medium_below') }} then 'medium'
            when ranked_scores.probability_alive is not null then 'low'
        end as churn_risk_band,
        ranked_scores.expected_orders_30d is not null
        and ranked_scores.likely_buyer_rank <= {{ var('segments__likely_buyer_share') }} * ranked_scores.purchaser_count
            as is_likely_buyer,
        cast(
            {{ dbt.dateadd('day', try_cast('ranked_scores.days_until_expected_order', dbt.type_int()),
                'ranked_scores.as_of') }} as date
        ) as expected_next_order_date,
        coalesce(
            readiness.has_enough_purchasers and readiness.has_enough_history and fit_status.are_fits_converged,
            false
        ) as is_reliable
    from ranked_scores
    cross join readiness
    cross join fit_status
)

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(probability_alive as {{ type_double() }}) as probability_alive,
    cast(expected_orders_30d as {{ type_double() }}) as expected_orders_30d,
    cast(expected_orders_90d as {{ type_double() }}) as expected_orders_90d,
    cast(expected_orders_365d as {{ type_double() }}) as expected_orders_365d,
    cast(expected_average_order_value as {{ type_money() }}) as expected_average_order_value,
    cast(predicted_clv as {{ type_money() }}) as predicted_clv,
    cast(churn_risk_band as {{ dbt.type_string() }}) as churn_risk_band,
    cast(days_until_expected_order as {{ dbt.type_int() }}) as days_until_expected_order,
    expected_next_order_date,
    cast(likely_buyer_rank as {{ dbt.type_int() }}) as likely_buyer_rank,
    is_likely_buyer,
    is_reliable,
    {{ reporting_currency_column() }},
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from predictions
