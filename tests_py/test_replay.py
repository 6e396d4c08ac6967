"""Tests of src/store_segments/runtime/replay.py: the step plan and its parsing (fast), and a replay of the demo's
last week into a temporary DuckDB file that checks the point of the history: customers who
enter the RFM groups At Risk or Needs Attention between two builds get journey_rfm_retention
rows, at the step their entry time says."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from store_segments.runtime import replay
from store_segments.generators.generate_demo_data import END

REPO_ROOT = Path(__file__).resolve().parents[1]
COMMAND = ("-m", "store_segments.cli", "replay")
RETENTION_GROUPS = ("At Risk", "Needs Attention")
# The dbt_project.yml defaults the replay runs with.
RETENTION_STEP_GAP = timedelta(days=3)
RETENTION_STEPS = 3
DUE_WINDOW = timedelta(hours=24)
WEEK_START = END - timedelta(days=7)


# ------------------------------------------------------------------------------------------
# Parsing and the plan (no dbt)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1d", timedelta(days=1)), ("7d", timedelta(days=7)), ("12h", timedelta(hours=12)), (" 2d ", timedelta(days=2))],
)
def test_parse_every(text: str, expected: timedelta) -> None:
    assert replay.parse_every(text) == expected


@pytest.mark.parametrize("text", ["0d", "1w", "d", "1.5d", "-1d", ""])
def test_parse_every_rejects_anything_else(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        replay.parse_every(text)


def test_parse_instant_reads_dates_timestamps_and_offsets_as_utc() -> None:
    assert replay.parse_instant("2026-10-24") == datetime(2026, 10, 24)
    assert replay.parse_instant("2026-10-24T18:00") == datetime(2026, 10, 24, 18)
    assert replay.parse_instant("2026-10-24T20:00:00+02:00") == datetime(2026, 10, 24, 18)
    assert replay.parse_instant("2026-10-24T18:00:00Z") == datetime(2026, 10, 24, 18)
    with pytest.raises(argparse.ArgumentTypeError):
        replay.parse_instant("24/10/2026")


def test_as_of_values_step_from_start_and_always_end_at_end() -> None:
    start = datetime(2026, 10, 24, 18)
    assert replay.as_of_values(start, start + timedelta(days=2), timedelta(days=1)) == [
        start, start + timedelta(days=1), start + timedelta(days=2)]
    # An end off the grid is still the last build.
    assert replay.as_of_values(start, start + timedelta(hours=30), timedelta(days=1)) == [
        start, start + timedelta(days=1), start + timedelta(hours=30)]
    assert replay.as_of_values(start, start, timedelta(days=1)) == [start]
    with pytest.raises(ValueError):
        replay.as_of_values(start, start - timedelta(days=1), timedelta(days=1))


def test_plan_seeds_once_then_narrows_the_selection() -> None:
    instants = replay.as_of_values(datetime(2026, 10, 29, 18), datetime(2026, 10, 31, 18), timedelta(days=1))
    steps = replay.plan_steps(instants, target_path=Path("/tmp/t"))
    assert [step.args[0] for step in steps] == ["seed", "run", "run", "run"]
    assert steps[0].args == ("seed", "--target-path", "/tmp/t")
    assert steps[1].args[:3] == ("run", "--select", "+config.full_refresh:false")
    assert steps[2].args[:3] == ("run", "--select", "int_as_of+,+config.full_refresh:false")
    assert steps[3].args[:3] == ("run", "--select", "@int_as_of")
    assert steps[2].args[3:5] == ("--vars", '{segments__as_of: "2026-10-30 18:00:00", segments__history_record_past: true}')
    assert [step.as_of for step in steps[1:]] == instants


def test_plan_of_one_instant_without_seeds_builds_everything_at_it() -> None:
    steps = replay.plan_steps([datetime(2026, 10, 31, 18)], load_seeds=False, log_path=Path("logs2"))
    assert [step.args for step in steps] == [
        ("run", "--select", "@int_as_of", "--vars", '{segments__as_of: "2026-10-31 18:00:00", segments__history_record_past: true}', "--log-path", "logs2")]


def test_dry_run_prints_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code = replay.main(["--start", "2026-10-30T18:00", "--end", "2026-10-31T18:00", "--no-seed", "--dry-run"])
    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        'dbt run --select +config.full_refresh:false --vars {segments__as_of: "2026-10-30 18:00:00", segments__history_record_past: true}',
        'dbt run --select @int_as_of --vars {segments__as_of: "2026-10-31 18:00:00", segments__history_record_past: true}',
    ]


def test_backfill_records_the_instants_before_as_of_without_a_final_build() -> None:
    end = datetime(2026, 10, 31, 18)
    instants = replay.backfill_instants(end, 3, timedelta(days=1))
    assert instants == [end - timedelta(days=3), end - timedelta(days=2), end - timedelta(days=1)]
    assert replay.backfill_instants(end, 0, timedelta(days=1)) == []
    steps = replay.plan_steps(instants, load_seeds=False, final_build=False, build_vars={"segments__high_aov_threshold": 150})
    assert [step.args[2] for step in steps] == [
        "+config.full_refresh:false", "int_as_of+,+config.full_refresh:false", "int_as_of+,+config.full_refresh:false"]
    # The build's own vars go along; as_of is the step's.
    assert steps[0].args[3:5] == ("--vars", '{segments__high_aov_threshold: 150, segments__as_of: "2026-10-28 18:00:00", segments__history_record_past: true}')


class VarsOnly:
    """A stand-in for a dbt session that only answers var(): the values dbt would resolve."""

    def __init__(self, values: dict[str, object]) -> None:
        self.values = values

    def var(self, name: str) -> object:
        return self.values[name]


def test_backfill_settings_are_the_vars_dbt_resolves() -> None:
    settings = {"segments__history_backfill_builds": 7, "segments__history_backfill_every_days": 1}
    assert replay.backfill_settings(VarsOnly(settings)) == (7, timedelta(days=1))  # type: ignore[arg-type]
    settings = {"segments__history_backfill_builds": 2, "segments__history_backfill_every_days": 3}
    assert replay.backfill_settings(VarsOnly(settings)) == (2, timedelta(days=3))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        replay.backfill_settings(VarsOnly({"segments__history_backfill_builds": 2, "segments__history_backfill_every_days": 0}))  # type: ignore[arg-type]


def test_start_and_end_are_required_without_backfill() -> None:
    with pytest.raises(SystemExit):
        replay.main(["--dry-run"])


def test_end_before_start_is_a_usage_error() -> None:
    with pytest.raises(SystemExit):
        replay.main(["--start", "2026-10-31", "--end", "2026-10-30", "--dry-run"])


# ------------------------------------------------------------------------------------------
# A week of the demo, replayed
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replayed_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's last week (8 daily builds up to END) replayed into a fresh DuckDB file."""
    work = tmp_path_factory.mktemp("replay")
    database = work / "replay.duckdb"
    env = {**os.environ, "DBT_PROFILES_DIR": str(REPO_ROOT), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [sys.executable, *COMMAND, "--start", WEEK_START.isoformat(), "--end", END.isoformat(), "--every", "1d",
         "--database", str(database), "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return database


@pytest.fixture()
def db(replayed_database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(replayed_database), read_only=True) as connection:
        yield connection


def retention_entries(db: duckdb.DuckDBPyConnection) -> dict[tuple[str, datetime], str]:
    """(customer, build) -> group, for every customer in a retention group at a build who was in
    none of them at the build before, read straight from segment_history."""
    builds = [row[0] for row in db.execute("select distinct as_of from main.segment_history order by 1").fetchall()]
    members: dict[datetime, dict[str, str]] = {build: {} for build in builds}
    for customer_id, group, as_of in db.execute(
        "select customer_id, segment_name, as_of from main.segment_history "
        "where segment_family = 'rfm_group' and segment_name in (?, ?)", list(RETENTION_GROUPS),
    ).fetchall():
        members[as_of][customer_id] = group
    entries: dict[tuple[str, datetime], str] = {}
    for previous, build in zip(builds, builds[1:]):
        for customer_id, group in members[build].items():
            if customer_id not in members[previous]:
                entries[(customer_id, build)] = group
    return entries


def test_every_replayed_day_is_recorded(db: duckdb.DuckDBPyConnection) -> None:
    builds = [row[0] for row in db.execute("select distinct as_of from main.segment_history order by 1").fetchall()]
    assert builds == [WEEK_START + timedelta(days=day) for day in range(8)]
    (as_of,) = db.execute("select distinct as_of from main.journey_queue").fetchone() or (None,)
    assert as_of == END


def test_the_week_has_entries_into_at_risk(db: duckdb.DuckDBPyConnection) -> None:
    entries = retention_entries(db)
    assert any(group == "At Risk" for group in entries.values()), entries
    changes = {
        (row[0], row[1])
        for row in db.execute(
            "select customer_id, entered_at from main.segment_changes "
            "where segment_family = 'rfm_group' and segment_name = 'At Risk' and is_entry_observed"
        ).fetchall()
    }
    at_risk_entries = {key for key, group in entries.items() if group == "At Risk"}
    assert at_risk_entries <= changes


def test_entries_into_at_risk_or_needs_attention_start_the_retention_flow(db: duckdb.DuckDBPyConnection) -> None:
    entries = retention_entries(db)
    rows = {
        (row[0], row[1]): (row[2], row[3], row[4], row[5])
        for row in db.execute(
            "select customer_id, trigger_at, step, due_at, status, branch from main.journey_rfm_retention"
        ).fetchall()
    }
    assert entries, "no entry into At Risk / Needs Attention in the replayed week"
    for (customer_id, entered_at), group in entries.items():
        # The flow lasts until its last step's window closes; a week's entries are all inside it.
        assert entered_at + (RETENTION_STEPS - 1) * RETENTION_STEP_GAP + DUE_WINDOW > END
        assert (customer_id, entered_at) in rows, (customer_id, entered_at)
        step, due_at, status, branch = rows[(customer_id, entered_at)]
        assert branch.startswith(group)
        # The current step is the open one, else the next one.
        open_steps = [k for k in range(1, RETENTION_STEPS + 1)
                      if entered_at + (k - 1) * RETENTION_STEP_GAP <= END
                      < entered_at + (k - 1) * RETENTION_STEP_GAP + DUE_WINDOW]
        expected_step = open_steps[-1] if open_steps else next(
            k for k in range(1, RETENTION_STEPS + 1) if entered_at + (k - 1) * RETENTION_STEP_GAP > END)
        assert step == expected_step
        assert due_at == entered_at + (step - 1) * RETENTION_STEP_GAP
        assert status in ("due", "waiting", "suppressed", "exited", "holdout")
    # Nothing else starts the flow: every row is one of those entries.
    assert set(rows) <= set(entries)


def test_journey_queue_holds_the_retention_rows(db: duckdb.DuckDBPyConnection) -> None:
    (queued,) = db.execute("select count(*) from main.journey_queue where journey = 'rfm_retention'").fetchone() or (0,)
    (modelled,) = db.execute("select count(*) from main.journey_rfm_retention").fetchone() or (0,)
    assert queued == modelled > 0


# The demo plants planted-lapsed-boundary's last order 121 days before END, at noon: 120 days
# (recent, purchase_recent_days = 120) at the build the day before END, 121 at END.
LAPSED_BOUNDARY = "planted-lapsed-boundary"


def test_a_planted_recency_crossing_has_its_reason(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute(
        "select segment_name, change, previous_as_of, flipped, conditions_flipped, inputs_recorded "
        "from main.segment_change_reasons where customer_id = ? and as_of = ? and segment_family = 'purchase_persona'",
        [LAPSED_BOUNDARY, END],
    ).fetchall()
    by_change = {(row[0], row[1]): row[2:] for row in rows}
    assert set(by_change) == {("Brand Enthusiasts", "left"), ("Lapsed Enthusiasts", "entered")}, rows
    previous_as_of, flipped, conditions_flipped, inputs_recorded = by_change[("Brand Enthusiasts", "left")]
    assert previous_as_of == END - timedelta(days=1)
    assert inputs_recorded and conditions_flipped == 1
    assert flipped == "is_purchase_recent true → false: days_since_last_order 120 → 121 (purchase_recent_days = 120)"
    _, flipped, conditions_flipped, _ = by_change[("Lapsed Enthusiasts", "entered")]
    assert flipped == ("is_purchase_lapsed false → true: days_since_last_order 120 → 121 "
                       "(purchase_lapsed_max_days = 395, purchase_recent_days = 120)")


def test_every_replayed_change_has_a_reason(db: duckdb.DuckDBPyConnection) -> None:
    (changes,) = db.execute(
        "select count(*) from main.segment_changes where is_entry_observed or exited_at is not null"
    ).fetchone() or (0,)
    (explained,) = db.execute(
        "select count(*) from main.segment_change_reasons where inputs_recorded and conditions_flipped >= 1"
    ).fetchone() or (0,)
    (reasons,) = db.execute("select count(*) from main.segment_change_reasons").fetchone() or (0,)
    # segment_changes has one row per stint; an entry and an exit of one stint are two reasons.
    (both,) = db.execute(
        "select count(*) from main.segment_changes where is_entry_observed and exited_at is not null"
    ).fetchone() or (0,)
    assert reasons == changes + both > 0
    assert explained == reasons


def test_input_history_stores_only_changes_after_the_first_build(db: duckdb.DuckDBPyConnection) -> None:
    per_build = dict(db.execute(
        "select as_of, count(*) from main.segment_input_history group by as_of order by as_of"
    ).fetchall())
    (customers,) = db.execute("select count(*) from main.customer_facts").fetchone() or (0,)
    first, *later = sorted(per_build)
    # The first build holds every customer's every condition; a later build a small part of it.
    assert per_build[first] >= customers
    assert later and all(per_build[build] < per_build[first] / 10 for build in later), per_build
