"""journey_lift finds the effects the demo generator plants (src/store_segments/generators/demo_data/journey_effects.py).

The demo sends its journey emails to the treated group only, makes abandoned-cart entries convert
at 10% without the email and 30% with it, win-back entries at 4% and 7%
(src/store_segments/generators/demo_data/winback_effect.py), and gives the welcome series no effect. On the demo
(the session's `built_database`) and on a second generator seed (generated into a copy of the
project and built once for this module, only journey_lift and its parents), the build's
all-months rows must find them: the planted lift (+0.20) inside the abandoned cart's interval,
which excludes 0, the modest one (+0.03) inside the win-back's (which may include 0 on a demo
this small), and 0 inside the welcome series' interval.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from store_segments.generators.demo_data.journey_effects import CART_HOLDOUT_RATE, CART_TREATED_RATE
from store_segments.generators.demo_data.winback_effect import WINBACK_HOLDOUT_RATE, WINBACK_TREATED_RATE
from store_segments.generators.demo_data.output import build_dataset, write_dataset

from conftest import copy_project, dbt_env

DBT = Path(sys.executable).with_name("dbt")
SECOND_SEED = 20270101


def all_months(database: Path, journey: str) -> dict[str, object]:
    """The journey's all-months row of journey_lift."""
    with duckdb.connect(str(database), read_only=True) as connection:
        cursor = connection.execute(
            "select * from main.journey_lift where journey = ? and is_all_months", [journey])
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    assert len(rows) == 1, (journey, rows)
    return dict(zip(names, rows[0]))


def check_group_rates(row: dict[str, object], treated_rate: float, holdout_rate: float) -> None:
    """Each group's rate is the planted one, within its own 95% binomial interval."""
    for group, rate in (("treated", treated_rate), ("holdout", holdout_rate)):
        customers = row[f"{group}_customers"]
        margin = 1.96 * math.sqrt(rate * (1 - rate) / customers)
        assert abs(row[f"{group}_conversion_rate"] - rate) <= margin, (group, row)


def check_planted_effects(database: Path) -> None:
    cart = all_months(database, "abandoned_cart")
    planted = CART_TREATED_RATE - CART_HOLDOUT_RATE
    assert cart["has_min_sample"], cart
    assert cart["conversion_lift_lower"] <= planted <= cart["conversion_lift_upper"], cart
    assert cart["conversion_lift_lower"] > 0, cart
    assert cart["conversion_p_value"] < 0.05, cart
    check_group_rates(cart, CART_TREATED_RATE, CART_HOLDOUT_RATE)
    assert cart["incremental_orders"] > 0, cart
    winback = all_months(database, "winback")
    modest = WINBACK_TREATED_RATE - WINBACK_HOLDOUT_RATE
    assert winback["has_min_sample"], winback
    assert winback["conversion_lift_lower"] <= modest <= winback["conversion_lift_upper"], winback
    check_group_rates(winback, WINBACK_TREATED_RATE, WINBACK_HOLDOUT_RATE)
    welcome = all_months(database, "welcome")
    assert welcome["has_min_sample"], welcome
    assert welcome["conversion_lift_lower"] <= 0 <= welcome["conversion_lift_upper"], welcome


def test_the_demo_build_finds_the_planted_effects(built_database: Path) -> None:
    check_planted_effects(built_database)


@pytest.fixture(scope="module")
def second_seed_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with the demo generated from SECOND_SEED, journey_lift and its parents built once."""
    work = tmp_path_factory.mktemp("second_seed")
    project = copy_project(work / "project")
    write_dataset(build_dataset(SECOND_SEED), project / "seeds")
    database = work / "segments.duckdb"
    result = subprocess.run(
        [str(DBT), "build", "--select", "+journey_lift",
         "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=project, env={**dbt_env(database), "DBT_PROFILES_DIR": str(project)},
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    return database


def test_a_second_seed_finds_the_planted_effects(second_seed_database: Path) -> None:
    check_planted_effects(second_seed_database)
