"""One row per purchaser of customer_btyd_inputs (grain: customer_id): the model's numbers.

Probability alive, expected orders in the next short / medium / long window, expected order
value, predicted CLV and days until one order is expected, from the parameters in
btyd_parameters (store_segments.btyd holds the formulas). customer_predictions adds the bands and
flags. Windows come from vars, passed in through the model's meta in the YAML. NaN (null) for
every customer when a fit did not converge.
"""

import pandas as pd


def fitted(parameters, model_name):
    """The fitted values of one model as a dict, all NaN when its fit did not converge."""
    rows = parameters[parameters["model"] == model_name]
    converged = bool(len(rows)) and bool(rows["is_converged"].all())
    return {
        row.parameter: (float(row.value) if converged and pd.notna(row.value) else float("nan"))
        for row in rows.itertuples()
    }


def model(dbt, session):
    dbt.config(materialized="table")
    # An installed import: make installs the project's Python package into the venv dbt runs in,
    # and dbt-duckdb runs Python models in that process.
    try:
        from store_segments import btyd
    except ModuleNotFoundError as missing:
        raise RuntimeError(
            "the predictions need the project's Python package store-segments where dbt runs "
            "(pip install of the project's repository), or the var segments__predictions: false "
            "to leave the predictions out (docs/package.md)"
        ) from missing

    short_days = int(float(dbt.config.meta_get("expected_orders_short_days")))
    medium_days = int(float(dbt.config.meta_get("expected_orders_medium_days")))
    long_days = int(float(dbt.config.meta_get("expected_orders_long_days")))
    clv_horizon_days = int(float(dbt.config.meta_get("clv_horizon_days")))
    clv_monthly_discount_rate = float(dbt.config.meta_get("clv_monthly_discount_rate"))
    next_order_max_days = int(float(dbt.config.meta_get("expected_next_order_max_days")))

    # Sorted so the fit sees the same row order on every engine and setting (the
    # optimiser's path, and on a flat likelihood its stopping point, depend on it).
    summary = dbt.ref("customer_btyd_inputs").df().sort_values("customer_id", kind="stable").reset_index(drop=True)
    parameters = dbt.ref("btyd_parameters").df()
    bg_nbd = btyd.BgNbdParameters(**fitted(parameters, "bg_nbd"))
    gamma_gamma = btyd.GammaGammaParameters(**fitted(parameters, "gamma_gamma"))

    x = summary["frequency"].to_numpy(dtype="float64")
    t_x = summary["recency"].to_numpy(dtype="float64")
    big_t = summary["t"].to_numpy(dtype="float64")
    m = summary["monetary"].to_numpy(dtype="float64")

    def expected_orders(days):
        return btyd.expected_purchases(bg_nbd, float(days), x, t_x, big_t)

    return pd.DataFrame(
        {
            "customer_id": summary["customer_id"].astype("string"),
            "probability_alive": btyd.probability_alive(bg_nbd, x, t_x, big_t),
            "expected_orders_30d": expected_orders(short_days),
            "expected_orders_90d": expected_orders(medium_days),
            "expected_orders_365d": expected_orders(long_days),
            "expected_average_order_value": btyd.expected_average_order_value(gamma_gamma, x, m),
            "predicted_clv": btyd.customer_lifetime_value(
                bg_nbd, gamma_gamma, x, t_x, big_t, m, clv_horizon_days, clv_monthly_discount_rate
            ),
            "days_until_expected_order": btyd.days_until_expected_purchase(
                bg_nbd, x, t_x, big_t, next_order_max_days
            ),
            "as_of": pd.to_datetime(summary["as_of"]),
        }
    )
