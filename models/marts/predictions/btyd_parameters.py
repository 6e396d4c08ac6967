"""One row per fitted parameter (grain: model + parameter) at as_of.

The BG/NBD model (r, alpha, a, b; time in days) and the gamma-gamma spend model (p, q, gamma)
fitted by maximum likelihood on customer_btyd_inputs. A Python model because the fit needs
numpy/scipy; the fitting code is scripts/btyd.py, shared with customer_btyd_scores and
checked by tests_py/test_btyd.py against the published CDNOW estimates. DuckDB only: the YAML
disables it on other targets, where dbt Python models may not run.
"""

import importlib.util
import sys
from pathlib import Path

import pandas as pd


def load_btyd():
    """scripts/btyd.py of this project, loaded by path under a name of its own.

    dbt changes into the project directory before it runs any model, and dbt-duckdb runs a
    Python model from a temporary copy of its code, so the working directory (not __file__) is
    where the project's modules are.
    """
    name = "segments_btyd"
    if name in sys.modules:
        return sys.modules[name]
    path = Path.cwd() / "scripts" / "btyd.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise RuntimeError(f"{path} not found: run dbt from the segments project directory")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def model(dbt, session):
    dbt.config(materialized="table")
    btyd = load_btyd()
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
