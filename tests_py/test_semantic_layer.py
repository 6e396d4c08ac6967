"""The semantic layer gives the numbers the marts give: `mf query` (MetricFlow) against the demo
build, compared with the same numbers computed in SQL over the marts.

mf reads `target/semantic_manifest.json` under the project it runs in, so the project is copied
to a temporary folder and parsed there: the test never writes the developer's target/.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests_py.conftest import DBT, copy_project, dbt_env

MF = Path(sys.executable).with_name("mf")


@pytest.fixture(scope="module")
def semantic_project(tmp_path_factory: pytest.TempPathFactory, built_database: Path) -> tuple[Path, dict[str, str]]:
    """A parsed copy of the project whose profile points at the demo build."""
    project = copy_project(tmp_path_factory.mktemp("semantic_project"))
    env = {**dbt_env(built_database), "DBT_PROFILES_DIR": str(project)}
    subprocess.run([str(DBT), "parse", "--quiet"], cwd=project, env=env, check=True, capture_output=True, text=True)
    return project, env


def mf_query(semantic_project: tuple[Path, dict[str, str]], *arguments: str) -> list[dict[str, str]]:
    """The rows of `mf query ARGUMENTS`, read from the CSV it writes."""
    project, env = semantic_project
    output = project / "target" / "mf_query.csv"
    output.unlink(missing_ok=True)
    run = subprocess.run([str(MF), "query", *arguments, "--csv", str(output)],
                         cwd=project, env=env, capture_output=True, text=True)
    assert run.returncode == 0 and output.exists(), run.stdout + run.stderr
    with output.open(newline="") as handle:
        return list(csv.DictReader(handle))


def as_rate(value: str) -> float | None:
    """A ratio metric's CSV cell: empty when the denominator is 0, as the marts' null rates."""
    return float(value) if value != "" else None


def sql(database: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.sql(query).fetchall()


def test_customers_per_primary_persona_equal_customer_personas(semantic_project, built_database: Path) -> None:
    rows = mf_query(semantic_project, "--metrics", "customers", "--group-by", "customer__primary_persona")
    from_mf = {row["customer__primary_persona"]: int(row["customers"]) for row in rows}
    from_sql = dict(sql(built_database, "select primary_persona, count(*) from main.customer_personas group by 1"))
    assert from_mf == from_sql
    assert sum(from_mf.values()) == sql(built_database, "select count(*) from main.customer_facts")[0][0]


def test_net_revenue_and_aov_per_lifecycle_stage_equal_customer_facts(semantic_project, built_database: Path) -> None:
    rows = mf_query(semantic_project, "--metrics", "net_revenue,valid_orders,aov",
                    "--group-by", "customer__lifecycle_stage")
    from_mf = {row["customer__lifecycle_stage"]: row for row in rows}
    from_sql = sql(built_database, """
        select lifecycle.lifecycle_stage, sum(facts.lifetime_net_revenue), sum(facts.valid_orders)
        from main.customer_facts as facts
        inner join main.customer_lifecycle as lifecycle using (customer_id)
        group by 1
    """)
    assert set(from_mf) == {stage for stage, _, _ in from_sql}
    for stage, net_revenue, valid_orders in from_sql:
        row = from_mf[stage]
        assert Decimal(row["net_revenue"]).quantize(Decimal("0.01")) == net_revenue, stage
        assert int(Decimal(row["valid_orders"])) == valid_orders, stage
        if valid_orders:
            assert float(row["aov"]) == pytest.approx(float(net_revenue) / valid_orders, rel=1e-12), stage
        else:
            assert row["aov"] == "", stage


def test_human_open_rate_per_campaign_equals_campaign_performance(semantic_project, built_database: Path) -> None:
    """The open rate counts human opens only, as every rate of the email marts does."""
    rows = mf_query(semantic_project, "--saved-query", "email_rates_per_campaign")
    from_mf = {row["message__campaign_or_flow_name"]: row for row in rows}
    from_sql = sql(built_database,
                   "select campaign_name, delivered, open_rate, click_rate from main.campaign_performance")
    assert set(from_mf) == {name for name, _, _, _ in from_sql}
    for name, delivered, open_rate, click_rate in from_sql:
        assert int(Decimal(from_mf[name]["emails_delivered"])) == delivered, name
        assert as_rate(from_mf[name]["human_open_rate"]) == pytest.approx(open_rate, rel=1e-12), name
        assert as_rate(from_mf[name]["click_rate"]) == pytest.approx(click_rate, rel=1e-12), name


def test_custom_segments_are_a_dimension_customer_metrics_split_by(semantic_project, built_database: Path) -> None:
    """custom_segment_members per custom segment and lifecycle stage (saved query custom_segment_sizes)
    equals custom_segment_members joined to customer_lifecycle; no built-in segment is counted."""
    rows = mf_query(semantic_project, "--saved-query", "custom_segment_sizes")
    from_mf = {(row["segment_membership__segment_name"], row["customer__lifecycle_stage"]):
               int(Decimal(row["custom_segment_members"])) for row in rows}
    from_sql = {(name, stage): count for name, stage, count in sql(built_database, """
        select members.segment_name, lifecycle.lifecycle_stage, count(*)
        from main.custom_segment_members as members
        inner join main.customer_lifecycle as lifecycle using (customer_id)
        group by 1, 2
    """)}
    assert from_mf == from_sql
    assert len({name for name, _ in from_mf}) >= 6


def test_conversion_per_journey_and_group_equals_journey_lift(semantic_project, built_database: Path) -> None:
    rows = mf_query(semantic_project, "--metrics",
                    "treated_entered_customers,treated_conversion_rate,holdout_conversion_rate,"
                    "treated_revenue_per_entered_customer",
                    "--group-by", "journey_month__journey")
    measured = {row["journey_month__journey"]: row for row in rows}
    expected = sql(built_database, "select journey, treated_customers, treated_conversion_rate, "
                                   "holdout_conversion_rate, treated_revenue_per_customer "
                                   "from main.journey_lift where is_all_months")
    assert expected and {journey for journey, *_ in expected} == set(measured)
    for journey, treated, treated_rate, holdout_rate, revenue in expected:
        row = measured[journey]
        assert int(float(row["treated_entered_customers"])) == treated, journey
        assert as_rate(row["treated_conversion_rate"]) == pytest.approx(treated_rate), journey
        assert as_rate(row["holdout_conversion_rate"]) == pytest.approx(holdout_rate), journey
        assert as_rate(row["treated_revenue_per_entered_customer"]) == pytest.approx(revenue), journey
