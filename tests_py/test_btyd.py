"""The BG/NBD and gamma-gamma code of src/store_segments/btyd.py against the published CDNOW estimates and
against `lifetimes` (a test-only dependency: it ships the CDNOW data and the reference code),
and the dbt unit test of customer_btyd_inputs against lifetimes' summary function."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from store_segments import btyd

with warnings.catch_warnings():
    # lifetimes is unmaintained: it imports pkg_resources and uses deprecated pandas idioms.
    warnings.simplefilter("ignore")
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.datasets import load_cdnow_summary, load_cdnow_summary_data_with_monetary_value
    from lifetimes.utils import summary_data_from_transaction_data

REPO_ROOT = Path(__file__).resolve().parents[1]
BTYD_INPUTS_YAML = REPO_ROOT / "models" / "marts" / "predictions" / "customer_btyd_inputs.yml"

# Fader, Hardie & Lee (2005), the 2,357 CDNOW customers, time in weeks.
PUBLISHED_BG_NBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_BG_NBD_LOG_LIKELIHOOD = -9582.4
# Fader, Hardie & Lee (2005), RFM and CLV; the 946 CDNOW customers with a repeat purchase.
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_cdnow_summary(index_col=[0])


@pytest.fixture(scope="module")
def cdnow_with_spend() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_cdnow_summary_data_with_monetary_value()


@pytest.fixture(scope="module")
def cdnow_fit(cdnow: pd.DataFrame) -> btyd.BgNbdFit:
    return btyd.fit_bg_nbd(cdnow["frequency"], cdnow["recency"], cdnow["T"])


@pytest.fixture(scope="module")
def cdnow_spend_fit(cdnow_with_spend: pd.DataFrame) -> btyd.GammaGammaFit:
    repeat = cdnow_with_spend[cdnow_with_spend["frequency"] > 0]
    return btyd.fit_gamma_gamma(repeat["frequency"], repeat["monetary_value"])


def _lifetimes_bg_nbd(parameters: btyd.BgNbdParameters) -> Any:
    """A lifetimes BetaGeoFitter carrying our parameters, to compare formulas."""
    fitter = BetaGeoFitter()
    fitter.params_ = pd.Series(parameters.as_dict())
    fitter.predict = fitter.conditional_expected_number_of_purchases_up_to_time  # as fit() sets it
    return fitter


def _lifetimes_gamma_gamma(parameters: btyd.GammaGammaParameters) -> Any:
    fitter = GammaGammaFitter()
    fitter.params_ = pd.Series({"p": parameters.p, "q": parameters.q, "v": parameters.gamma})
    return fitter


# -- The published CDNOW estimates -----------------------------------------------------------


def test_cdnow_sample_is_the_published_one(cdnow: pd.DataFrame, cdnow_with_spend: pd.DataFrame) -> None:
    assert len(cdnow) == 2357
    assert int((cdnow_with_spend["frequency"] > 0).sum()) == 946


@pytest.mark.parametrize("name", sorted(PUBLISHED_BG_NBD))
def test_bg_nbd_reproduces_the_published_cdnow_estimate(cdnow_fit: btyd.BgNbdFit, name: str) -> None:
    assert cdnow_fit.converged
    estimate = cdnow_fit.parameters.as_dict()[name]
    assert estimate == pytest.approx(PUBLISHED_BG_NBD[name], rel=0.01)


def test_bg_nbd_reproduces_the_published_cdnow_log_likelihood(cdnow_fit: btyd.BgNbdFit) -> None:
    assert cdnow_fit.n_customers == 2357
    assert cdnow_fit.log_likelihood == pytest.approx(PUBLISHED_BG_NBD_LOG_LIKELIHOOD, abs=0.1)


@pytest.mark.parametrize("name", sorted(PUBLISHED_GAMMA_GAMMA))
def test_gamma_gamma_reproduces_the_published_cdnow_estimate(
    cdnow_spend_fit: btyd.GammaGammaFit, name: str
) -> None:
    assert cdnow_spend_fit.converged
    assert cdnow_spend_fit.n_customers == 946
    estimate = cdnow_spend_fit.parameters.as_dict()[name]
    assert estimate == pytest.approx(PUBLISHED_GAMMA_GAMMA[name], rel=0.01)


def test_fits_agree_with_lifetimes_far_inside_the_published_rounding(
    cdnow: pd.DataFrame, cdnow_with_spend: pd.DataFrame, cdnow_fit: btyd.BgNbdFit,
    cdnow_spend_fit: btyd.GammaGammaFit,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
        repeat = cdnow_with_spend[cdnow_with_spend["frequency"] > 0]
        spend_reference = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    for name, value in cdnow_fit.parameters.as_dict().items():
        assert value == pytest.approx(reference.params_[name], rel=1e-4), name
    ours = cdnow_spend_fit.parameters
    for value, name in ((ours.p, "p"), (ours.q, "q"), (ours.gamma, "v")):
        assert value == pytest.approx(spend_reference.params_[name], rel=1e-4), name



def test_the_fit_weighs_each_distinct_customer_history_by_how_many_share_it(cdnow: pd.DataFrame) -> None:
    """fit_bg_nbd evaluates each distinct (x, t_x, T) once, weighted: on CDNOW in whole weeks
    (many customers share a history) it must fit what lifetimes fits on every customer, and
    report the log-likelihood summed over every customer."""
    weeks = cdnow.assign(recency=cdnow["recency"].round(), T=cdnow["T"].round())
    assert len(weeks.drop_duplicates(["frequency", "recency", "T"])) < len(weeks) / 2
    ours = btyd.fit_bg_nbd(weeks["frequency"], weeks["recency"], weeks["T"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = BetaGeoFitter().fit(weeks["frequency"], weeks["recency"], weeks["T"])
    for name, value in ours.parameters.as_dict().items():
        assert value == pytest.approx(reference.params_[name], rel=1e-4), name
    every_customer = btyd.bg_nbd_log_likelihood(ours.parameters, weeks["frequency"], weeks["recency"], weeks["T"])
    assert ours.log_likelihood == pytest.approx(float(np.sum(every_customer)), rel=1e-12)
    assert ours.n_customers == len(weeks)

# -- Predictions: the formulas against lifetimes ---------------------------------------------


def test_probability_alive_matches_lifetimes(cdnow: pd.DataFrame, cdnow_fit: btyd.BgNbdFit) -> None:
    ours = btyd.probability_alive(cdnow_fit.parameters, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    theirs = _lifetimes_bg_nbd(cdnow_fit.parameters).conditional_probability_alive(
        cdnow["frequency"], cdnow["recency"], cdnow["T"]
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    assert np.all(ours[cdnow["frequency"].to_numpy() == 0] == 1.0)


@pytest.mark.parametrize("horizon", [1.0, 4.3, 13.0, 39.0, 52.0, 104.0])
def test_expected_purchases_match_lifetimes(cdnow: pd.DataFrame, cdnow_fit: btyd.BgNbdFit, horizon: float) -> None:
    ours = btyd.expected_purchases(cdnow_fit.parameters, horizon, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    theirs = _lifetimes_bg_nbd(cdnow_fit.parameters).conditional_expected_number_of_purchases_up_to_time(
        horizon, cdnow["frequency"], cdnow["recency"], cdnow["T"]
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def test_expected_average_order_value_matches_lifetimes(
    cdnow_with_spend: pd.DataFrame, cdnow_spend_fit: btyd.GammaGammaFit
) -> None:
    frequency, monetary = cdnow_with_spend["frequency"], cdnow_with_spend["monetary_value"]
    ours = btyd.expected_average_order_value(cdnow_spend_fit.parameters, frequency, monetary)
    theirs = _lifetimes_gamma_gamma(cdnow_spend_fit.parameters).conditional_expected_average_profit(
        frequency, monetary
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_customer_lifetime_value_matches_lifetimes_for_whole_months(
    cdnow_with_spend: pd.DataFrame, cdnow_fit: btyd.BgNbdFit, cdnow_spend_fit: btyd.GammaGammaFit
) -> None:
    """lifetimes' CLV with freq="D" and 12 months = our 360-day horizon (the data read as days)."""
    data = cdnow_with_spend
    ours = btyd.customer_lifetime_value(
        cdnow_fit.parameters, cdnow_spend_fit.parameters,
        data["frequency"], data["recency"], data["T"], data["monetary_value"],
        horizon_days=360, monthly_discount_rate=0.01,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _lifetimes_gamma_gamma(cdnow_spend_fit.parameters).customer_lifetime_value(
            _lifetimes_bg_nbd(cdnow_fit.parameters),
            data["frequency"], data["recency"], data["T"], data["monetary_value"],
            time=12, discount_rate=0.01, freq="D",
        )
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def test_customer_lifetime_value_discounts_a_short_last_month_at_its_own_end() -> None:
    bg_nbd = btyd.BgNbdParameters(r=0.8, alpha=70.0, a=0.8, b=2.5)
    gamma_gamma = btyd.GammaGammaParameters(p=6.0, q=4.0, gamma=15.0)
    args = (np.array([3.0]), np.array([200.0]), np.array([400.0]), np.array([40.0]))
    whole_year = btyd.customer_lifetime_value(bg_nbd, gamma_gamma, *args, horizon_days=360, monthly_discount_rate=0.01)
    longer = btyd.customer_lifetime_value(bg_nbd, gamma_gamma, *args, horizon_days=365, monthly_discount_rate=0.01)
    extra_orders = btyd.expected_purchases(bg_nbd, 365.0, args[0], args[1], args[2]) - btyd.expected_purchases(
        bg_nbd, 360.0, args[0], args[1], args[2]
    )
    order_value = btyd.expected_average_order_value(gamma_gamma, args[0], args[3])
    np.testing.assert_allclose(longer - whole_year, order_value * extra_orders / 1.01 ** (365 / 30), rtol=1e-9)


def test_days_until_expected_purchase_is_the_first_day_reaching_one_order() -> None:
    parameters = btyd.BgNbdParameters(r=0.8, alpha=70.0, a=0.8, b=2.5)
    frequency = np.array([15.0, 3.0, 0.0, 2.0])
    recency = np.array([690.0, 300.0, 0.0, 20.0])
    t = np.array([695.0, 310.0, 5.0, 600.0])
    days = btyd.days_until_expected_purchase(parameters, frequency, recency, t, max_days=365)
    for index, day in enumerate(days):
        def expected(horizon: float, i: int = index) -> float:
            return float(btyd.expected_purchases(parameters, horizon, frequency[i], recency[i], t[i]))
        if np.isnan(day):
            assert expected(365.0) < 1.0
        else:
            assert expected(day) >= 1.0 > expected(day - 1.0)
    assert not np.isnan(days[0]) and np.isnan(days[3])


def test_predictions_are_probabilities_and_grow_with_the_horizon(cdnow: pd.DataFrame, cdnow_fit: btyd.BgNbdFit) -> None:
    alive = btyd.probability_alive(cdnow_fit.parameters, cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert np.all((alive >= 0) & (alive <= 1))
    by_horizon = [
        btyd.expected_purchases(cdnow_fit.parameters, h, cdnow["frequency"], cdnow["recency"], cdnow["T"])
        for h in (4.0, 13.0, 52.0)
    ]
    assert np.all(by_horizon[0] >= 0)
    assert np.all(by_horizon[0] <= by_horizon[1]) and np.all(by_horizon[1] <= by_horizon[2])


# -- Degenerate and empty inputs -------------------------------------------------------------


def test_an_empty_store_fits_nothing_and_says_so() -> None:
    fit = btyd.fit_bg_nbd([], [], [])
    spend = btyd.fit_gamma_gamma([], [])
    assert not fit.converged and fit.n_customers == 0 and np.isnan(fit.parameters.r)
    assert not spend.converged and spend.n_customers == 0


def test_gamma_gamma_skips_customers_without_repeat_spend(cdnow_with_spend: pd.DataFrame) -> None:
    """Customers with x = 0, or whose repeat orders were all free (m = 0), are not in the fit."""
    repeat = cdnow_with_spend[cdnow_with_spend["frequency"] > 0]
    with_free = pd.concat([cdnow_with_spend, pd.DataFrame({"frequency": [2], "monetary_value": [0.0]})])
    a = btyd.fit_gamma_gamma(repeat["frequency"], repeat["monetary_value"])
    b = btyd.fit_gamma_gamma(with_free["frequency"], with_free["monetary_value"])
    assert a == b


# -- customer_btyd_inputs = lifetimes' summary -----------------------------------------------


def _unit_test(name: str) -> dict[str, Any]:
    document = yaml.safe_load(BTYD_INPUTS_YAML.read_text())
    (test,) = [t for t in document["unit_tests"] if t["name"] == name]
    return dict(test)


def test_customer_btyd_inputs_unit_test_expects_what_lifetimes_computes() -> None:
    """The dbt unit test `customer_btyd_inputs_matches_lifetimes` proves the SQL gives its
    expected rows; this proves lifetimes gives the same rows from the same orders."""
    test = _unit_test("customer_btyd_inputs_matches_lifetimes")
    given = {item["input"]: item["rows"] for item in test["given"]}
    (as_of,) = [row["as_of"] for row in given["ref('int_as_of')"]]
    orders = pd.DataFrame(given["ref('int_orders')"])
    valid = orders[orders["is_valid_order"]].assign(
        ordered_at=lambda frame: pd.to_datetime(frame["ordered_at"]),
        net_revenue=lambda frame: frame["net_revenue"].astype(float),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = summary_data_from_transaction_data(
            valid, "customer_id", "ordered_at", monetary_value_col="net_revenue",
            observation_period_end=as_of, freq="D",
        )
    lifetimes_rows = {
        str(customer_id): (row["frequency"], row["recency"], row["T"], row["monetary_value"])
        for customer_id, row in summary.iterrows()
    }
    expected_rows = {
        row["customer_id"]: (row["frequency"], row["recency"], row["t"], row["monetary"])
        for row in test["expect"]["rows"]
    }
    assert set(expected_rows) == set(lifetimes_rows)
    for customer_id, expected in expected_rows.items():
        assert lifetimes_rows[customer_id] == pytest.approx(expected, abs=1e-9), customer_id


# -- Numerics away from CDNOW ----------------------------------------------------------------


def _expected_if_alive_by_scipy_quad(parameters: btyd.BgNbdParameters, x: float, t: float, h: float) -> float:
    """E_p[(1 - (1 + p h / (alpha + T))^-(r + x)) / p], p ~ beta(a, b + x), by adaptive quadrature
    over the central 1 - 2e-12 of the beta distribution: an independent reference."""
    from scipy import integrate, stats

    dropout = stats.beta(parameters.a, parameters.b + x)
    k, n = h / (parameters.alpha + t), parameters.r + x
    low, high = dropout.ppf([1e-12, 1.0 - 1e-12])
    value, _ = integrate.quad(
        lambda p: -np.expm1(-n * np.log1p(p * k)) / p * dropout.pdf(p), low, high, epsabs=0.0, epsrel=1e-10, limit=200
    )
    return float(value)


def test_expected_purchases_stay_finite_and_right_when_the_closed_form_breaks() -> None:
    """With a and b in the thousands (the demo's fit) scipy's 2F1 fails; the quadrature takes
    over and agrees with an independent adaptive quadrature."""
    frequency = np.array([0.0, 1.0, 5.0, 15.0, 60.0])
    recency = np.array([0.0, 20.0, 300.0, 690.0, 699.0])
    t = np.array([3.0, 40.0, 400.0, 695.0, 700.0])
    parameters = btyd.BgNbdParameters(r=0.78, alpha=71.0, a=996.7, b=10_000.0)
    with np.errstate(all="ignore"):
        closed_form = btyd._expected_if_alive_closed_form(parameters, np.full(5, 365.0), frequency, t)
    assert not np.all(np.isfinite(closed_form))
    ours = btyd.expected_purchases(parameters, 365.0, frequency, recency, t)
    alive = btyd.probability_alive(parameters, frequency, recency, t)
    reference = [_expected_if_alive_by_scipy_quad(parameters, x, t_, 365.0) for x, t_ in zip(frequency, t)]
    np.testing.assert_allclose(ours, np.array(reference) * alive, rtol=1e-6)


def test_quadrature_agrees_with_the_closed_form_where_both_work(cdnow: pd.DataFrame, cdnow_fit: btyd.BgNbdFit) -> None:
    x, t = cdnow["frequency"].to_numpy(float), cdnow["T"].to_numpy(float)
    h = np.full_like(x, 39.0)
    closed = btyd._expected_if_alive_closed_form(cdnow_fit.parameters, h, x, t)
    by_quadrature = btyd._expected_if_alive_by_quadrature(cdnow_fit.parameters, h, x, t)
    np.testing.assert_allclose(by_quadrature, closed, rtol=1e-6)


def test_a_homogeneous_store_ends_on_the_bounds_and_still_predicts() -> None:
    """Every customer orders at the same rate and drops out with the same probability: the
    shapes run to their bound, the fit says so, and the predictions stay finite."""
    rng = np.random.default_rng(7)
    n, days = 3000, 700.0
    first = rng.uniform(0.0, days, n)
    frequency, recency = np.zeros(n), np.zeros(n)
    for i in range(n):
        now, purchases = first[i], 0
        while True:
            now += rng.exponential(40.0)
            if now > days:
                break
            purchases += 1
            recency[i] = now - first[i]
            if rng.random() < 0.15:  # drops out after this purchase
                break
        frequency[i] = purchases
    t = days - first
    fit = btyd.fit_bg_nbd(frequency, recency, t)
    assert fit.converged
    assert {"r", "b"} & fit.at_bound, fit
    assert fit.parameters.a / (fit.parameters.a + fit.parameters.b) == pytest.approx(0.15, rel=0.15)
    assert fit.parameters.r / fit.parameters.alpha == pytest.approx(1 / 40.0, rel=0.15)
    predictions = btyd.expected_purchases(fit.parameters, 365.0, frequency, recency, t)
    assert np.all(np.isfinite(predictions)) and np.all(predictions >= 0)


@pytest.mark.parametrize(
    ("first_success", "improvement", "converged"),
    [(True, 1e-12, True), (True, 1e-6, False), (False, 0.0, False)],
)
def test_a_restart_that_runs_out_on_a_ridge_confirms_the_first_optimum(
    monkeypatch: pytest.MonkeyPatch, first_success: bool, improvement: float, converged: bool
) -> None:
    """The restart stops without success (evaluation budget spent): the fit is converged only
    when the first run converged and the restart improved the objective by a negligible share."""
    from types import SimpleNamespace

    runs = iter([
        SimpleNamespace(x=np.zeros(2), fun=14.0, success=first_success),
        SimpleNamespace(x=np.ones(2), fun=14.0 - improvement * 14.0, success=False),
    ])
    monkeypatch.setattr(btyd.optimize, "minimize", lambda *args, **kwargs: next(runs))
    solution, is_converged = btyd._minimize(lambda p: 0.0, np.zeros(2), [(1e-4, 1e4), (1e-4, 1e4)])
    assert is_converged is converged
    assert list(solution) == [1.0, 1.0]


@pytest.mark.parametrize("model", ["btyd_parameters", "customer_btyd_scores"])
def test_a_prediction_model_without_the_python_package_says_what_to_do(
    model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project that installs only the dbt package: the model stops naming both ways out."""
    spec = importlib.util.spec_from_file_location(model, REPO_ROOT / "models" / "marts" / "predictions" / f"{model}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, "store_segments", None)

    class Dbt:
        @staticmethod
        def config(**_: object) -> None:
            return None

    with pytest.raises(RuntimeError, match="store-segments .*segments__predictions: false"):
        module.model(Dbt(), None)
