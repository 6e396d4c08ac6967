"""BG/NBD and gamma-gamma ("buy till you die") models in plain numpy/scipy.

The dbt Python models `btyd_parameters` (the fit) and `customer_btyd_scores` (the
predictions) load this module from the project directory (`load_btyd` in those files); there is
no runtime dependency beyond numpy and scipy. tests_py/test_btyd.py checks it against the
published CDNOW estimates and against the `lifetimes` package, a test-only dependency.

Inputs per customer are the `lifetimes` summary: frequency x (repeat purchase periods), recency
t_x (first to last purchase), T (first purchase to the end of observation), in any one time
unit, and for the spend model the mean value m of the repeat purchases.

References:
  Fader, Hardie & Lee (2005), "Counting Your Customers" the Easy Way: An Alternative to the
  Pareto/NBD Model. Marketing Science 24(2). (BG/NBD: likelihood eq. 6, P(alive) eq. 13,
  conditional expectation eq. 10.)
  Fader, Hardie & Lee (2005), RFM and CLV: Using Iso-Value Curves for Customer Base Analysis.
  Journal of Marketing Research 42(4); Fader & Hardie (2013), "The Gamma-Gamma Model of
  Monetary Value". (Gamma-gamma likelihood and conditional expected spend.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, special  # type: ignore[import-untyped]

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]

# The CLV discounting month, in days: what `lifetimes` uses for daily data (freq="D").
DAYS_PER_MONTH = 30.0

# Nelder-Mead in log-parameter space: tight tolerances so that the estimates are stable to far
# better than the 1% the CDNOW check asks for; the cap keeps a degenerate data set from
# spinning (the fit is then reported as not converged).
_OPTIMIZER_OPTIONS = {"xatol": 1e-8, "fatol": 1e-12, "maxiter": 20_000, "maxfev": 40_000}
# See _minimize: a restart that improves the mean log-likelihood by less than this share has
# found the same optimum (1e-9 of ~14 nats is far below any difference in the predictions).
_RIDGE_RELATIVE_TOLERANCE = 1e-9

# Bounds of the estimates. A shape parameter (r, a, b, p, q) runs off to infinity when the data
# show no heterogeneity in that direction (e.g. every customer drops out with the same
# probability: a, b -> infinity with a / (a + b) fixed); the likelihood is then flat along a
# ridge and an unbounded optimiser stops anywhere on it. Capping shapes at 1e4 picks a point on
# the ridge whose predictions differ from the limit's by about 0.1%. Scales (alpha, gamma)
# carry the time and currency unit, hence the wide range.
SHAPE_BOUNDS = (1e-4, 1e4)
SCALE_BOUNDS = (1e-6, 1e9)

# Gauss-Legendre nodes for the fallback quadrature of expected purchases.
_QUADRATURE_NODES, _QUADRATURE_WEIGHTS = np.polynomial.legendre.leggauss(128)


@dataclass(frozen=True)
class BgNbdParameters:
    """Purchase rate ~ gamma(shape r, rate alpha); dropout probability ~ beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def as_dict(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b}


@dataclass(frozen=True)
class GammaGammaParameters:
    """Spend per transaction ~ gamma(p, nu), nu ~ gamma(q, gamma) across customers."""

    p: float
    q: float
    gamma: float

    def as_dict(self) -> dict[str, float]:
        return {"p": self.p, "q": self.q, "gamma": self.gamma}


@dataclass(frozen=True)
class BgNbdFit:
    parameters: BgNbdParameters
    log_likelihood: float  # summed over customers (the published CDNOW value is -9582.4)
    n_customers: int
    converged: bool
    at_bound: frozenset[str] = frozenset()  # parameters that ended on SHAPE_BOUNDS / SCALE_BOUNDS


@dataclass(frozen=True)
class GammaGammaFit:
    parameters: GammaGammaParameters
    log_likelihood: float
    n_customers: int
    converged: bool
    at_bound: frozenset[str] = frozenset()


def _as_float_array(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


# -- BG/NBD --------------------------------------------------------------------------------


def bg_nbd_log_likelihood(
    parameters: BgNbdParameters, frequency: npt.ArrayLike, recency: npt.ArrayLike, t: npt.ArrayLike
) -> FloatArray:
    """Per-customer log-likelihood (FHL 2005 eq. 6), summed in log space for stability."""
    x = _as_float_array(frequency)
    return _bg_nbd_log_likelihood(parameters, x, _as_float_array(recency), _as_float_array(t), *_distinct(x))


def _bg_nbd_log_likelihood(
    parameters: BgNbdParameters, x: FloatArray, t_x: FloatArray, big_t: FloatArray,
    distinct_x: FloatArray, index: IndexArray,
) -> FloatArray:
    """bg_nbd_log_likelihood given x's distinct values and each x's position among them: the
    terms in x alone (gammaln, the costly part) are computed once per distinct x."""
    r, alpha, a, b = parameters.r, parameters.alpha, parameters.a, parameters.b
    common = (
        special.gammaln(r + distinct_x) - special.gammaln(r) + r * np.log(alpha)
        + special.gammaln(a + b) + special.gammaln(b + distinct_x) - special.gammaln(b)
        - special.gammaln(a + b + distinct_x)
    )
    log_dropout = np.log(a) - np.log(b + np.maximum(distinct_x, 1.0) - 1.0)
    common, log_dropout = common[index], log_dropout[index]
    alive_term = -(r + x) * np.log(alpha + big_t)
    # Only a customer with a repeat purchase can have dropped out after the last one.
    dropped_term = np.where(x > 0, log_dropout - (r + x) * np.log(alpha + t_x), -np.inf)
    return _as_float_array(common + np.logaddexp(alive_term, dropped_term))


def _bg_nbd_start(x: FloatArray, big_t: FloatArray) -> FloatArray:
    """Deterministic start: r = a = b = 1 and alpha matching the mean purchase rate r / alpha."""
    mean_rate = max(float(np.mean(x)), 1e-3) / max(float(np.mean(big_t)), 1e-3)
    return _as_float_array(np.log(np.array([1.0, 1.0 / mean_rate, 1.0, 1.0])))


def fit_bg_nbd(frequency: npt.ArrayLike, recency: npt.ArrayLike, t: npt.ArrayLike) -> BgNbdFit:
    """Maximum likelihood estimates of r, alpha, a, b (alpha is in the unit of recency and T)."""
    x, t_x, big_t = _as_float_array(frequency), _as_float_array(recency), _as_float_array(t)
    if x.size == 0:
        nan = float("nan")
        return BgNbdFit(BgNbdParameters(nan, nan, nan, nan), nan, 0, False)
    # A customer's likelihood depends on (x, t_x, T) only, and in whole days a large store has
    # far fewer distinct triples than customers: each triple is evaluated once, weighted by
    # how many customers share it. The same sum as over every customer, several times faster.
    (row_x, row_t_x, row_big_t), weights = _distinct_rows(x, t_x, big_t)
    distinct_x, index = _distinct(row_x)

    def log_likelihood_sum(parameters: BgNbdParameters) -> float:
        values = _bg_nbd_log_likelihood(parameters, row_x, row_t_x, row_big_t, distinct_x, index)
        return float(np.sum(weights * values))

    def negative_mean_log_likelihood(log_parameters: FloatArray) -> float:
        r, alpha, a, b = np.exp(log_parameters)
        return _finite_or_inf(-log_likelihood_sum(BgNbdParameters(r, alpha, a, b)) / x.size)

    bounds = [SHAPE_BOUNDS, SCALE_BOUNDS, SHAPE_BOUNDS, SHAPE_BOUNDS]
    solution, converged = _minimize(negative_mean_log_likelihood, _bg_nbd_start(x, big_t), bounds)
    r, alpha, a, b = (float(v) for v in np.exp(solution))
    parameters = BgNbdParameters(r, alpha, a, b)
    at_bound = _at_bound(parameters.as_dict(), bounds)
    return BgNbdFit(parameters, log_likelihood_sum(parameters), int(x.size), converged, at_bound)


def probability_alive(
    parameters: BgNbdParameters, frequency: npt.ArrayLike, recency: npt.ArrayLike, t: npt.ArrayLike
) -> FloatArray:
    """P(still a customer at T | x, t_x, T) (FHL 2005 eq. 13); 1 for customers with x = 0."""
    x, t_x, big_t = _as_float_array(frequency), _as_float_array(recency), _as_float_array(t)
    r, alpha, a, b = parameters.r, parameters.alpha, parameters.a, parameters.b
    log_odds_dropped = (
        np.log(a) - np.log(b + np.maximum(x, 1.0) - 1.0)
        + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
    )
    return _as_float_array(np.where(x > 0, special.expit(-log_odds_dropped), 1.0))


def expected_purchases(
    parameters: BgNbdParameters,
    horizon: npt.ArrayLike,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    t: npt.ArrayLike,
) -> FloatArray:
    """E[purchases in (T, T + horizon] | x, t_x, T] (FHL 2005 eq. 10) = P(alive) * E[... | alive].

    The closed form needs the Gauss hypergeometric function 2F1, which scipy evaluates well for
    ordinary parameters but not everywhere (large a, b or x): where its result is not a valid
    expectation, the same expectation is integrated numerically instead (see _expected_if_alive_by_quadrature).
    """
    h, x = np.broadcast_arrays(_as_float_array(horizon), _as_float_array(frequency))
    t_x, big_t = _as_float_array(recency), _as_float_array(t)
    if_alive = _expected_if_alive_closed_form(parameters, h, x, big_t)
    # While alive, purchases are Poisson with a rate whose posterior mean is (r + x) / (alpha + T).
    upper = (parameters.r + x) * h / (parameters.alpha + big_t)
    invalid = ~(np.isfinite(if_alive) & (if_alive >= -1e-12) & (if_alive <= upper * (1 + 1e-9) + 1e-12))
    if np.any(invalid):
        if_alive = np.where(
            invalid, _expected_if_alive_by_quadrature(parameters, h, x, np.broadcast_to(big_t, x.shape)), if_alive
        )
    return _as_float_array(np.clip(if_alive, 0.0, None) * probability_alive(parameters, x, t_x, big_t))


def _expected_if_alive_closed_form(
    parameters: BgNbdParameters, h: FloatArray, x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """E[purchases in the next h | alive] = c / (a - 1) * (1 - 2F1(...) ((alpha + T) / (alpha + T + h))^(r + x)).

    The 2F1 term is taken after Euler's transformation,
    2F1(r+x, b+x; c; z) (1-z)^(r+x) = (1-z)^(a-1) 2F1(c-r-x, a-1; c; z) with c = a+b+x-1, whose
    arguments do not grow with x: the textbook form multiplies a huge 2F1 by a tiny power.
    """
    r, alpha, a, b = parameters.r, parameters.alpha, parameters.a, parameters.b
    c = a + b + x - 1.0
    z = h / (alpha + big_t + h)
    with np.errstate(all="ignore"):
        remaining = np.power(1.0 - z, a - 1.0) * special.hyp2f1(c - r - x, a - 1.0, c, z)
        return _as_float_array(c / (a - 1.0) * (1.0 - remaining))


def _expected_if_alive_by_quadrature(
    parameters: BgNbdParameters, h: FloatArray, x: FloatArray, big_t: FloatArray
) -> FloatArray:
    """The same expectation as an integral over the dropout probability p.

    Given alive, the purchase rate is gamma(r + x, alpha + T) and p is beta(a, b + x), and a
    customer with rate lambda and dropout probability p makes (1 - exp(-lambda p h)) / p
    purchases in h on average. Integrating lambda out gives
    E = E_p[(1 - (1 + p h / (alpha + T))^-(r + x)) / p], taken here over the quantiles of p
    (p = F^-1(u), Gauss-Legendre in u), which stays accurate however concentrated beta(a, b + x) is.
    """
    r, alpha, a, b = parameters.r, parameters.alpha, parameters.a, parameters.b
    u = (_QUADRATURE_NODES + 1.0) / 2.0
    # The quantiles depend on x only, and customers share few distinct x: invert once per x.
    distinct_x, index = _distinct(x)
    p = special.betaincinv(a, b + distinct_x[:, np.newaxis], u)[index]
    k = (h / (alpha + big_t))[..., np.newaxis]
    n = (r + x)[..., np.newaxis]
    with np.errstate(all="ignore"):
        per_purchase = np.where(p > 0, -np.expm1(-n * np.log1p(p * k)) / p, n * k)
    return _as_float_array(np.sum(per_purchase * _QUADRATURE_WEIGHTS / 2.0, axis=-1))


def days_until_expected_purchase(
    parameters: BgNbdParameters,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    t: npt.ArrayLike,
    max_days: int,
) -> FloatArray:
    """The first whole day d in 1..max_days with expected purchases in the next d days >= 1.

    NaN when the expectation stays below one purchase for max_days. Expected purchases grow
    with the horizon, so a vectorised bisection on whole days finds d in log2(max_days) steps.
    Time is in days here: recency and T must be in days.
    """
    x, t_x, big_t = _as_float_array(frequency), _as_float_array(recency), _as_float_array(t)
    low = np.zeros_like(x)  # expected purchases in 0 days is 0 < 1
    high = np.full_like(x, float(max_days))
    reaches_one = expected_purchases(parameters, high, x, t_x, big_t) >= 1.0
    while np.any(high - low > 1.0):
        middle = np.floor((low + high) / 2.0)
        at_middle = expected_purchases(parameters, middle, x, t_x, big_t) >= 1.0
        searching = high - low > 1.0
        high = np.where(searching & at_middle, middle, high)
        low = np.where(searching & ~at_middle, middle, low)
    return _as_float_array(np.where(reaches_one, high, np.nan))


# -- Gamma-gamma ---------------------------------------------------------------------------


def gamma_gamma_log_likelihood(
    parameters: GammaGammaParameters, frequency: npt.ArrayLike, monetary: npt.ArrayLike
) -> FloatArray:
    """Per-customer log density of the mean spend m of x > 0 repeat transactions."""
    x = _as_float_array(frequency)
    return _gamma_gamma_log_likelihood(parameters, x, _as_float_array(monetary), *_distinct(x))


def _gamma_gamma_log_likelihood(
    parameters: GammaGammaParameters, x: FloatArray, m: FloatArray, distinct_x: FloatArray, index: IndexArray
) -> FloatArray:
    """gamma_gamma_log_likelihood given x's distinct values (the gammaln terms depend on x alone)."""
    p, q, gamma = parameters.p, parameters.q, parameters.gamma
    distinct_px = p * distinct_x
    in_x = (
        special.gammaln(distinct_px + q) - special.gammaln(distinct_px) - special.gammaln(q)
        + distinct_px * np.log(distinct_x)
    )[index]
    px = p * x
    return _as_float_array(in_x + q * np.log(gamma) + (px - 1.0) * np.log(m) - (px + q) * np.log(gamma + x * m))


def fit_gamma_gamma(frequency: npt.ArrayLike, monetary: npt.ArrayLike) -> GammaGammaFit:
    """Maximum likelihood p, q, gamma on customers with x > 0 and m > 0 (others are skipped).

    The density is undefined for m = 0 (repeat purchases that were all free) and carries no
    information for x = 0, which is why those customers do not enter the fit.
    """
    x_all, m_all = _as_float_array(frequency), _as_float_array(monetary)
    keep = (x_all > 0) & (m_all > 0)
    x, m = x_all[keep], m_all[keep]
    if x.size == 0:
        nan = float("nan")
        return GammaGammaFit(GammaGammaParameters(nan, nan, nan), nan, 0, False)

    distinct_x, index = _distinct(x)

    def negative_mean_log_likelihood(log_parameters: FloatArray) -> float:
        p, q, gamma = np.exp(log_parameters)
        values = _gamma_gamma_log_likelihood(GammaGammaParameters(p, q, gamma), x, m, distinct_x, index)
        return _finite_or_inf(-float(np.mean(values)))

    # Start at p = 1, q = 2 and gamma matching the mean spend p * gamma / (q - 1).
    start = np.log(np.array([1.0, 2.0, float(np.mean(m))]))
    bounds = [SHAPE_BOUNDS, SHAPE_BOUNDS, SCALE_BOUNDS]
    solution, converged = _minimize(negative_mean_log_likelihood, start, bounds)
    p, q, gamma = (float(v) for v in np.exp(solution))
    parameters = GammaGammaParameters(p, q, gamma)
    log_likelihood = float(np.sum(gamma_gamma_log_likelihood(parameters, x, m)))
    at_bound = _at_bound(parameters.as_dict(), bounds)
    # q <= 1 means an infinite population mean spend: no usable expected order value.
    return GammaGammaFit(parameters, log_likelihood, int(x.size), converged and q > 1.0, at_bound)


def expected_average_order_value(
    parameters: GammaGammaParameters, frequency: npt.ArrayLike, monetary: npt.ArrayLike
) -> FloatArray:
    """E[spend per transaction | x, m] = p (gamma + x m) / (p x + q - 1).

    A weighted mean of the population mean p gamma / (q - 1) and the customer's own mean m,
    the weight on m growing with x; for x = 0 it is the population mean.
    """
    x, m = _as_float_array(frequency), _as_float_array(monetary)
    p, q, gamma = parameters.p, parameters.q, parameters.gamma
    if not q > 1.0:
        return np.full_like(x, np.nan)
    return _as_float_array(p * (gamma + x * m) / (p * x + q - 1.0))


# -- Customer lifetime value ---------------------------------------------------------------


def customer_lifetime_value(
    bg_nbd: BgNbdParameters,
    gamma_gamma: GammaGammaParameters,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    t: npt.ArrayLike,
    monetary: npt.ArrayLike,
    horizon_days: int,
    monthly_discount_rate: float,
) -> FloatArray:
    """Discounted expected revenue over the next horizon_days (time in days).

    As `lifetimes.customer_lifetime_value` with freq="D": the horizon is cut into 30-day months,
    each month's expected purchases times the expected order value is discounted by
    (1 + rate) ** (month end / 30). A last, shorter month (365 = 12 * 30 + 5) is discounted at
    its own end, so 360 days give exactly the `lifetimes` number for 12 months.
    """
    x, t_x, big_t = _as_float_array(frequency), _as_float_array(recency), _as_float_array(t)
    order_value = expected_average_order_value(gamma_gamma, x, monetary)
    month_ends = np.append(np.arange(DAYS_PER_MONTH, horizon_days, DAYS_PER_MONTH), float(horizon_days))
    value = np.zeros_like(x)
    purchases_before = np.zeros_like(x)
    for month_end in month_ends:
        purchases_until = expected_purchases(bg_nbd, np.full_like(x, month_end), x, t_x, big_t)
        discount = (1.0 + monthly_discount_rate) ** (month_end / DAYS_PER_MONTH)
        value += order_value * (purchases_until - purchases_before) / discount
        purchases_before = purchases_until
    return _as_float_array(value)


# -- Optimisation --------------------------------------------------------------------------


def _distinct(values: FloatArray) -> tuple[FloatArray, IndexArray]:
    """The distinct values and the position of each value among them."""
    distinct, index = np.unique(values, return_inverse=True)
    return _as_float_array(distinct), index.reshape(values.shape)


def _distinct_rows(*columns: FloatArray) -> tuple[list[FloatArray], FloatArray]:
    """The distinct rows of equally long columns (as columns again) and how often each occurs."""
    rows, counts = np.unique(np.column_stack(columns), axis=0, return_counts=True)
    return [_as_float_array(rows[:, i]) for i in range(len(columns))], _as_float_array(counts)


def _finite_or_inf(value: float) -> float:
    """Nelder-Mead steps away from parameters where the likelihood is not defined."""
    return value if np.isfinite(value) else float("inf")


def _minimize(
    objective: Callable[[FloatArray], float], start: FloatArray, bounds: list[tuple[float, float]]
) -> tuple[FloatArray, bool]:
    """Bounded Nelder-Mead in log-parameter space from a deterministic start, restarted once.

    The restart rebuilds the simplex around the first optimum, which guards against the
    simplex collapsing early on a flat ridge (common for a and b). On such a ridge the restart
    can also wander along it until its evaluation budget runs out, at likelihoods that differ
    in the last digits only: the fit still counts as converged when the first run converged
    and the restart found nothing better by more than _RIDGE_RELATIVE_TOLERANCE.
    """
    log_bounds = [(float(np.log(low)), float(np.log(high))) for low, high in bounds]
    start = np.clip(start, [low for low, _ in log_bounds], [high for _, high in log_bounds])
    first = optimize.minimize(objective, start, method="Nelder-Mead", bounds=log_bounds, options=_OPTIMIZER_OPTIONS)
    second = optimize.minimize(
        objective, first.x, method="Nelder-Mead", bounds=log_bounds, options=_OPTIMIZER_OPTIONS
    )
    solution = _as_float_array(second.x)
    restart_confirms = bool(first.success) and bool(
        second.fun >= first.fun - _RIDGE_RELATIVE_TOLERANCE * abs(first.fun)
    )
    converged = (
        (bool(second.success) or restart_confirms)
        and bool(np.isfinite(second.fun))
        and bool(np.all(np.isfinite(solution)))
    )
    return solution, converged


def _at_bound(values: dict[str, float], bounds: list[tuple[float, float]]) -> frozenset[str]:
    """Names of the estimates within 0.1% of a bound."""
    return frozenset(
        name
        for (name, value), (low, high) in zip(values.items(), bounds)
        if value <= low * 1.001 or value >= high / 1.001
    )
