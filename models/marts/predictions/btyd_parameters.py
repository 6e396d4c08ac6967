"""One row per fitted parameter (grain: model + parameter) at as_of.

The BG/NBD model (r, alpha, a, b; time in days) and the gamma-gamma spend model (p, q, gamma)
fitted by maximum likelihood on customer_btyd_inputs. A Python model because the fit needs
numpy/scipy; the fitting code is the project package's store_segments.btyd
(src/store_segments/btyd.py), shared with customer_btyd_scores and checked by
tests_py/test_btyd.py against the published CDNOW estimates. DuckDB only: the YAML
disables it on other targets, where dbt Python models may not run.
"""

import pandas as pd


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

    # Sorted so the fit sees the same row order on every engine and setting (the
    # optimiser's path, and on a flat likelihood its stopping point, depend on it).
    summary = dbt.ref("customer_btyd_inputs").df().sort_values("customer_id", kind="stable").reset_index(drop=True)
    as_of = dbt.ref("int_as_of").df()["as_of"].iloc[0]

    bg_nbd = btyd.fit_bg_nbd(summary["frequency"], summary["recency"], summary["t"])
    gamma_gamma = btyd.fit_gamma_gamma(summary["frequency"], summary["monetary"])

    rows = [
        {
            "model": model_name,
            "parameter": parameter,
            "value": value,
            "log_likelihood": fit.log_likelihood,
            "n_customers": fit.n_customers,
            "is_converged": fit.converged,
            "is_at_bound": parameter in fit.at_bound,
        }
        for model_name, fit in (("bg_nbd", bg_nbd), ("gamma_gamma", gamma_gamma))
        for parameter, value in fit.parameters.as_dict().items()
    ]
    parameters = pd.DataFrame(rows)
    parameters["as_of"] = pd.Timestamp(as_of)
    return parameters
