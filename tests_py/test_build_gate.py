"""`make build` is the production run: what BI tools read changes only when every model and data
test passed and as_of did not go back, and the history models keep only the points of published
builds. `make preview` builds a past instant apart. A copy of the session's checkout after `make
build` (conftest.built_checkout), then the checks of `make test` there, a failed build, a good one,
a build that looks back and a preview (about seven minutes)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import copy_built_checkout, run_make, user_env

# A day and two days after the demo's as_of (2026-10-31 18:00): builds that move forward.
NEXT_DAY = "2026-11-01 18:00:00"
DAY_AFTER = "2026-11-02 18:00:00"
PAST = "2026-06-01"


def output(result: object) -> str:
    return f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def checkout(built_checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's checkout after `make build` (conftest.built_checkout), for this
    module's builds to change."""
    return copy_built_checkout(built_checkout, tmp_path_factory.mktemp("gate") / "checkout")


def served(checkout: Path) -> tuple[str, int, str]:
    """Which snapshot BI tools read, its customer rows and its as_of."""
    link = checkout / "published" / "segments.duckdb"
    with duckdb.connect(str(link), read_only=True) as connection:
        customers = connection.execute("select count(*), max(as_of) from customer_facts").fetchone()
    assert customers is not None
    return os.readlink(link), int(customers[0]), str(customers[1])


def history(checkout: Path) -> dict[str, list[tuple[object, ...]]]:
    """Each history model's points: as_of, rows and a hash of the rows, from the work database."""
    queries = {
        "segment_history": "select as_of, count(*), sum(hash(customer_id, segment_family, segment_name)) "
                           "from main.segment_history group by 1 order by 1",
        "audience_history": "select as_of, count(*), sum(hash(customer_id, audience_family, audience_name, channel)) "
                            "from main_activation.audience_history group by 1 order by 1",
        "segment_input_history": "select as_of, count(*), sum(hash(customer_id, condition_name, outcome, fact_value)) "
                                 "from main.segment_input_history group by 1 order by 1",
        "segment_threshold_history": "select as_of, count(*), sum(hash(threshold_name, threshold_value)) "
                                     "from main.segment_threshold_history group by 1 order by 1",
    }
    with duckdb.connect(str(checkout / "segments.duckdb"), read_only=True) as connection:
        return {name: connection.execute(sql).fetchall() for name, sql in queries.items()}


def last_status(checkout: Path) -> dict[str, object]:
    return json.loads((checkout / "published" / "last_build.json").read_text())


# An incremental model, and a lint error planted in its incremental branch: sqlfluff's dbt
# templater renders that branch only when the model's table exists in the database it renders
# against (capitalisation.keywords: keywords are lower case).
INCREMENTAL_MODEL = "models/intermediate/site/int_customer_daily_site_activity.sql"
INCREMENTAL_LINE = "        where {{ is_in_incremental_window("


def test_lint_after_make_build_renders_each_model_as_a_first_build(checkout: Path) -> None:
    """The lint once depended on what the build left: sqlfluff's dbt templater rendered the
    incremental branches of the models the build had created. `make lint` renders against an empty
    database of its own, so an error planted in an incremental branch is not seen there, while the
    same file rendered against the work database that `make build` left is flagged."""
    model = checkout / INCREMENTAL_MODEL
    original = model.read_text()
    assert INCREMENTAL_LINE in original
    model.write_text(original.replace(INCREMENTAL_LINE, INCREMENTAL_LINE.replace("where", "WHERE")))
    try:
        result = run_make(checkout, "lint", f"LINT_PATHS={INCREMENTAL_MODEL}")
        assert result.returncode == 0, f"make lint failed:\n{output(result)}"
        against_the_build = subprocess.run(
            [str(checkout / ".venv" / "bin" / "sqlfluff"), "lint", INCREMENTAL_MODEL],
            cwd=checkout, capture_output=True, text=True, check=False,
            env={**user_env(), "DBT_PROFILES_DIR": str(checkout), "SEGMENTS_DUCKDB_PATH": str(checkout / "segments.duckdb")},
        )
        assert against_the_build.returncode != 0 and "CP01" in against_the_build.stdout, output(against_the_build)
    finally:
        model.write_text(original)


def test_dbt_test_passes_after_make_build_in_the_same_checkout(checkout: Path) -> None:
    """The README's two commands in one checkout: `make test`'s dbt build after `make build`."""
    result = run_make(checkout, "dbt-test")
    assert result.returncode == 0, f"make dbt-test failed:\n{output(result)}"
    assert (checkout / "segments.duckdb").exists(), "make build did not write the checkout's own database"


def test_a_failing_data_test_publishes_nothing_and_records_no_history(checkout: Path) -> None:
    snapshot, history_before = served(checkout), history(checkout)
    assert last_status(checkout)["status"] == "published"
    # A test on a model that reads segment_history: the build has written its point by then.
    failing = checkout / "tests" / "gate_check_fails_on_purpose.sql"
    failing.write_text("-- fails whenever segment_changes has a row\nselect * from {{ ref('segment_changes') }}\n")
    # Other thresholds too, so the history the failed build wrote differs from what it replaced.
    result = run_make(checkout, "build", f'DBT_VARS={{segments__as_of: "{NEXT_DAY}", segments__purchase_recent_days: 60}}')
    assert result.returncode != 0, output(result)
    assert "gate_check_fails_on_purpose on segment_changes" in result.stdout, output(result)
    assert "BI tools still read the last good snapshot" in result.stdout
    assert served(checkout) == snapshot
    assert history(checkout) == history_before
    status = last_status(checkout)
    assert status["status"] == "failed" and status["history"] == "taken back"
    assert status["as_of"] == NEXT_DAY.replace(" ", "T")
    assert [(f["node"], f["model"]) for f in status["failed"]] == [  # type: ignore[union-attr]
        ("gate_check_fails_on_purpose", "segment_changes")]
    assert status["quarantined_rows"]["raw_orders"]["duplicate"] > 0  # type: ignore[index]
    assert len(list((checkout / "published" / "builds").glob("*.json"))) == 2

    failing.unlink()
    result = run_make(checkout, "build", f'DBT_VARS={{segments__as_of: "{DAY_AFTER}"}}')
    assert result.returncode == 0, output(result)
    link, _, as_of = served(checkout)
    assert link != snapshot[0] and as_of.startswith("2026-11-02 18:00:00")
    recorded = history(checkout)
    for name, points in recorded.items():
        assert points[:-1] == history_before[name], name
        assert str(points[-1][0]).startswith("2026-11-02 18:00:00"), name
    # The deltas are against the last published build, not the one that failed.
    with duckdb.connect(str(checkout / "published" / "segments.duckdb"), read_only=True) as connection:
        previous = connection.execute("select distinct previous_as_of from main_activation.audience_deltas").fetchall()
    assert [str(row[0]) for row in previous] == [snapshot[2]]
    assert last_status(checkout)["status"] == "published"


def test_a_build_at_an_earlier_as_of_changes_nothing_readers_see(checkout: Path) -> None:
    snapshot, history_before = served(checkout), history(checkout)
    result = run_make(checkout, "build", f'DBT_VARS={{segments__as_of: "{PAST}"}}')
    assert result.returncode != 0, output(result)
    assert f"make preview AS_OF=" in result.stdout
    assert served(checkout) == snapshot
    assert history(checkout) == history_before
    assert last_status(checkout)["status"] == "stopped"


def test_preview_builds_a_past_as_of_into_a_database_of_its_own(checkout: Path) -> None:
    snapshot, history_before = served(checkout), history(checkout)
    result = run_make(checkout, "preview", f"AS_OF={PAST}", "DBT_VARS={segments__history_backfill_builds: 2}")
    assert result.returncode == 0, output(result)
    preview = checkout / "previews" / "20260601T000000.duckdb"
    with duckdb.connect(str(preview), read_only=True) as connection:
        as_of = connection.execute("select distinct as_of from customer_facts").fetchall()
        points = connection.execute("select count(distinct as_of) from segment_history").fetchone()
    assert [str(row[0]) for row in as_of] == ["2026-06-01 00:00:00"]
    assert points == (3,)  # the preview's as_of and the two backfilled days before it
    assert served(checkout) == snapshot
    assert history(checkout) == history_before
    assert last_status(checkout)["status"] != "previewed"


def test_preview_needs_an_as_of(checkout: Path) -> None:
    result = run_make(checkout, "preview")
    assert result.returncode != 0
    assert "usage: make preview AS_OF=" in result.stdout


def test_a_build_killed_midway_is_taken_back_by_the_next_one(checkout: Path) -> None:
    """As a build leaves things when killed after writing its history point: the state file, the
    backup of the latest point, and a point after it. The next build takes that point back first
    (here one that then stops at once, as_of being in the past)."""
    history_before = history(checkout)
    with duckdb.connect(str(checkout / "segments.duckdb")) as connection:
        connection.execute("create schema if not exists main_build")
        connection.execute(
            "create or replace table main_build.main__segment_history__latest_point as select * from "
            "main.segment_history where as_of = (select max(as_of) from main.segment_history)")
        connection.execute(
            "insert into main.segment_history select timestamp '2027-01-01 00:00:00', customer_id, "
            "segment_family, segment_name from main.segment_history limit 5")
    (checkout / "target" / "build_in_progress.json").write_text(
        json.dumps({"models": ["segment_history", "audience_history"], "emptied": []}))
    result = run_make(checkout, "build", f'DBT_VARS={{segments__as_of: "{PAST}"}}')
    assert "An earlier build was interrupted" in result.stdout, output(result)
    assert history(checkout) == history_before
    assert not (checkout / "target" / "build_in_progress.json").exists()
