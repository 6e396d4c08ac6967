"""Print how long the BG/NBD and gamma-gamma fits and the predictions take.

On the CDNOW sample that `lifetimes` ships (a test-only dependency, used here only for its data
file) and, when given, on the customer_btyd_inputs of a built DuckDB file:

    segments btyd-benchmark [segments.duckdb]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from store_segments import btyd

T = TypeVar("T")
REPEATS = 5


def cdnow_file(name: str) -> Path:
    """A data file of lifetimes' datasets folder, found without importing lifetimes."""
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or spec.origin is None:
        raise SystemExit("lifetimes is not installed (it ships the CDNOW data)")
    return Path(spec.origin).parent / "datasets" / name


def best_of(function: Callable[[], T]) -> tuple[T, float]:
    """The result and the fastest of REPEATS wall-clock runs, in seconds."""
    timings = []
    result = function()
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - start)
    return result, min(timings)


def report(label: str, purchases: pd.DataFrame, spend: pd.DataFrame, horizon: float) -> None:
    """Fit BG/NBD on `purchases` (frequency, recency, T) and gamma-gamma on `spend` (frequency,
    monetary), and time each fit and one prediction for every customer."""
    x, t_x, big_t = (purchases[c].to_numpy(dtype=np.float64) for c in ("frequency", "recency", "T"))
    spend_x, spend_m = (spend[c].to_numpy(dtype=np.float64) for c in ("frequency", "monetary"))
    bg_nbd, bg_seconds = best_of(lambda: btyd.fit_bg_nbd(x, t_x, big_t))
    gamma_gamma, spend_seconds = best_of(lambda: btyd.fit_gamma_gamma(spend_x, spend_m))
    _, predict_seconds = best_of(lambda: btyd.expected_purchases(bg_nbd.parameters, horizon, x, t_x, big_t))
    print(f"{label}: {len(purchases)} customers")
    print(f"  BG/NBD       {bg_seconds:6.3f} s  {bg_nbd.parameters}  LL {bg_nbd.log_likelihood:.1f}"
          f"  converged {bg_nbd.converged}  at bound {sorted(bg_nbd.at_bound)}")
    print(f"  gamma-gamma  {spend_seconds:6.3f} s  {gamma_gamma.parameters}  LL {gamma_gamma.log_likelihood:.1f}"
          f"  n {gamma_gamma.n_customers}  converged {gamma_gamma.converged}  at bound {sorted(gamma_gamma.at_bound)}")
    print(f"  expected purchases in the next {horizon:g} for every customer: {predict_seconds:.3f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", type=Path, nargs="?", help="a built DuckDB file (optional)")
    args = parser.parse_args(argv)

    cdnow = pd.read_csv(cdnow_file("cdnow_customers_summary.csv"))
    cdnow_spend = pd.read_csv(cdnow_file("cdnow_customers_summary_with_transactions.csv"))
    cdnow_spend = cdnow_spend.rename(columns={"x": "frequency", "zbar": "monetary"})
    report("CDNOW (time in weeks)", cdnow, cdnow_spend, horizon=39.0)

    if args.database is not None:
        with duckdb.connect(str(args.database), read_only=True) as connection:
            summary = connection.execute(
                'select frequency, recency, t as "T", monetary from customer_btyd_inputs'
            ).df()
        report(f"{args.database} (time in days)", summary, summary, horizon=365.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
