"""Email analytics on the demo build: the A/B test statistics against scipy, the
portable normal CDF macro against scipy, and the outcomes the generator plants (three A/B tests,
campaigns and segments below each deliverability floor). The build is the session fixture
`built_database` of conftest.py."""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from scipy.stats import norm

from conftest import DBT, ROOT, dbt_env

TOLERANCE = 1e-6


@pytest.fixture()
def db(built_database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_database), read_only=True) as connection:
        yield connection


def pooled_z_test(x_control: int, n_control: int, x: int, n: int) -> tuple[float, float]:
    """(z, two-sided p) of the pooled two-proportion z-test of x/n against x_control/n_control."""
    pooled = (x + x_control) / (n + n_control)
    standard_error = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / n_control))
    z = (x / n - x_control / n_control) / standard_error
    return z, 2 * norm.sf(abs(z))


def test_ab_p_values_and_intervals_match_scipy(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute(
        "select ab_test_id, control_conversions, control_sample_size, conversions, sample_size, "
        "z_score, p_value, confidence_level, lift_ci_lower, lift_ci_upper "
        "from main.ab_test_results where not is_control order by ab_test_id"
    ).fetchall()
    assert len(rows) >= 3
    for test_id, xc, nc, x, n, z_sql, p_sql, level, lower, upper in rows:
        z, p = pooled_z_test(xc, nc, x, n)
        assert z_sql == pytest.approx(z, abs=TOLERANCE), test_id
        assert abs(p_sql - p) <= TOLERANCE, (test_id, p_sql, p)
        critical = norm.ppf(1 - (1 - level) / 2)
        rate, control_rate = x / n, xc / nc
        half_width = critical * math.sqrt(rate * (1 - rate) / n + control_rate * (1 - control_rate) / nc)
        assert lower == pytest.approx(rate - control_rate - half_width, abs=TOLERANCE), test_id
        assert upper == pytest.approx(rate - control_rate + half_width, abs=TOLERANCE), test_id


def test_demo_ab_tests_have_their_planned_outcomes(db: duckdb.DuckDBPyConnection) -> None:
    results = {
        row[0]: row[1:]
        for row in db.execute(
            "select ab_test_id, metric, p_value, has_min_sample, is_winner "
            "from main.ab_test_results where variant = 'B'"
        ).fetchall()
    }
    winners = dict(db.execute(
        "select ab_test_id, variant from main.ab_test_results where is_winner").fetchall())
    # A clear winner: B's subject line, judged on human opens.
    metric, p_value, has_min_sample, _ = results["ab-summer-subject-line"]
    assert (metric, has_min_sample) == ("human_open_rate", True) and p_value < 0.001
    # No significant difference in clicks.
    metric, p_value, has_min_sample, _ = results["ab-cta-button-colour"]
    assert (metric, has_min_sample) == ("click_rate", True) and p_value > 0.05
    # Too small to call: significant-looking, but the arms are below ab_min_sample_size.
    metric, p_value, has_min_sample, _ = results["ab-send-time-3pm"]
    assert (metric, has_min_sample) == ("human_open_rate", False) and p_value < 0.05
    assert winners == {"ab-summer-subject-line": "B"}


@pytest.mark.parametrize("status_column", ["open_rate_status", "unsubscribe_rate_status",
                                           "spam_complaint_rate_status"])
def test_each_floor_is_broken_by_a_demo_campaign_and_segment(
        db: duckdb.DuckDBPyConnection, status_column: str) -> None:
    breaking = db.execute(
        f"select scope_type, scope_name from main.deliverability_health "
        f"where {status_column} = 'breach'"
    ).fetchall()
    campaigns = {name for scope, name in breaking if scope == "campaign"}
    assert any("Win-back:" in name for name in campaigns), campaigns
    assert any(scope == "segment" for scope, _ in breaking)


def test_machine_opens_never_count_as_opens(db: duckdb.DuckDBPyConnection) -> None:
    (human, machine) = db.execute(
        "select sum(case when is_human_open then 1 else 0 end), "
        "sum(case when is_machine_open then 1 else 0 end) "
        "from main_intermediate.int_email_events_classified").fetchone() or (0, 0)
    (reported_human, reported_machine, openers) = db.execute(
        "select sum(human_opens), sum(machine_opens), sum(unique_human_opens) "
        "from main.email_message_performance").fetchone() or (0, 0, 0)
    assert machine > 0
    assert (reported_human, reported_machine) == (human, machine)
    assert openers <= human


def test_the_list_clean_up_campaign_is_opened_by_machines_only(
        db: duckdb.DuckDBPyConnection) -> None:
    """Dead Weight does not open: every 'open' of the clean-up campaign is an MPP prefetch."""
    row = db.execute(
        "select unique_human_opens, machine_opens, open_rate from main.campaign_performance "
        "where campaign_name like '%Win-back: list clean-up'").fetchone()
    assert row is not None
    unique_human_opens, machine_opens, open_rate = row
    assert unique_human_opens == 0 and open_rate == 0 and machine_opens > 0


def test_program_kpis_cover_the_case_study_table(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute(
        "select kpi, before_denominator, after_denominator, before_rate, after_rate, "
        "absolute_change from main.program_kpis order by sort_order").fetchall()
    assert [r[0] for r in rows] == ["open_rate", "abandoned_cart_recovery_rate",
                                    "vip_repurchase_rate", "dormant_reactivation_rate"]
    for kpi, before_n, after_n, before_rate, after_rate, change in rows:
        assert before_n > 0 and after_n > 0, kpi
        assert change == pytest.approx(after_rate - before_rate), kpi


def test_normal_cdf_macro_matches_scipy(tmp_path: Path) -> None:
    """The macros two_sided_p_value and normal_quantile, compiled by dbt and run in DuckDB, on a
    grid from the centre to the far tail (the branch at |z| = 7.07 and the cut at 37)."""
    z_values = [i / 8 for i in range(0, 81)] + [7.07, 7.08, 9.5, 12.0, 36.9, 38.0]
    quantiles = [1e-12, 1e-6, 0.001, 0.025, 0.3, 0.5, 0.7, 0.975, 0.999]
    z_grid = " union all ".join(f"select {z} as z" for z in z_values)
    q_grid = " union all ".join(f"select {q} as q" for q in quantiles)
    inline = (
        f"select 'cdf' as kind, z as arg, {{{{ two_sided_p_value('z') }}}} as v1, "
        f"{{{{ normal_cdf('z') }}}} as v2, {{{{ normal_cdf('-z') }}}} as v3 from ({z_grid}) as z_grid "
        f"union all select 'quantile' as kind, q as arg, {{{{ normal_quantile('q') }}}} as v1, "
        f"null as v2, null as v3 from ({q_grid}) as q_grid"
    )
    compiled = subprocess.run(
        [str(DBT), "compile", "--quiet", "--inline", inline,
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=ROOT, env=dbt_env(tmp_path / "compile.duckdb"), check=True,
        capture_output=True, text=True,
    ).stdout
    result = duckdb.connect().execute(compiled).fetchall()
    cdf = [(float(a), v1, v2, v3) for kind, a, v1, v2, v3 in result if kind == "cdf"]
    quantile = [(float(a), v1) for kind, a, v1, _, _ in result if kind == "quantile"]
    assert len(cdf) == len(z_values) and len(quantile) == len(quantiles)
    for z, p, c, c_negative in cdf:
        assert abs(p - 2 * norm.sf(abs(z))) <= 1e-14, z
        assert abs(c - norm.cdf(z)) <= 1e-14, z
        assert abs(c_negative - norm.cdf(-z)) <= 1e-14, z
    for q, x in quantile:
        assert abs(x - norm.ppf(q)) <= 1e-12, q
