"""`make build` twice, a week apart in as_of, with a BI reader connected to the served snapshot
the whole time: the reader never fails and only ever sees complete snapshots, and the second
build's audience_deltas is the set difference of the two snapshots' audience_members."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from store_segments.runtime import export as export_audience

ROOT = Path(__file__).resolve().parent.parent
EARLIER_AS_OF = "2026-10-24 18:00:00"
MEMBER_KEY = "audience_family, audience_name, channel, customer_id"

# A BI tool's loop: open the served path read-only, count customer_personas, compare with the
# manifest of the snapshot it opened. One JSON line per query: snapshot, rows, seconds taken.
# It stops once it has read the snapshot named in the stop file, however slow a read is.
READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import duckdb

    published, stop = Path(sys.argv[1]), Path(sys.argv[2])
    deadline = time.monotonic() + 900
    snapshot_id = None
    while time.monotonic() < deadline:
        if stop.exists() and snapshot_id == stop.read_text().strip():
            break
        started = time.monotonic()
        with duckdb.connect(str(published / "segments.duckdb"), read_only=True) as connection:
            snapshot_id = connection.execute("select snapshot_id from publish.snapshot").fetchone()[0]
            rows = connection.execute("select count(*) from customer_personas").fetchone()[0]
        manifest = json.loads((published / "snapshots" / snapshot_id / "manifest.json").read_text())
        expected = manifest["row_counts"]["customer_personas"]
        print(json.dumps({"snapshot": snapshot_id, "rows": rows, "expected": expected,
                          "seconds": time.monotonic() - started}), flush=True)
        time.sleep(0.05)
    """
)


@dataclass(frozen=True)
class TwoBuilds:
    published: Path
    earlier: Path
    later: Path
    reads: list[dict[str, object]]
    build_seconds: float


def make_build(work: Path, published: Path, dbt_vars: str = "") -> None:
    env = {
        **os.environ,
        "SEGMENTS_DUCKDB_PATH": str(work / "segments.duckdb"),
        "PUBLISHED_DIR": str(published),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_VARS": dbt_vars,
    }
    result = subprocess.run(["make", "--no-print-directory", "build"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def served_snapshot(published: Path) -> Path:
    return Path(os.path.realpath(published / "segments.duckdb"))


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> TwoBuilds:
    work = tmp_path_factory.mktemp("two_builds")
    published = work / "published"
    # The earlier build only gives the later one a snapshot and a history point to follow: no
    # backfilled days before it (a first build's seven extra history builds are not under test here).
    make_build(work, published, f'{{segments__as_of: "{EARLIER_AS_OF}", segments__history_backfill_builds: 0}}')
    earlier = served_snapshot(published)

    stop = work / "stop-reading"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        started = time.monotonic()
        make_build(work, published)
        build_seconds = time.monotonic() - started
        stop.write_text(served_snapshot(published).stem)
        stdout, stderr = reader.communicate(timeout=60)
    finally:
        reader.kill()
    assert reader.returncode == 0, stderr
    reads = [json.loads(line) for line in stdout.splitlines()]
    return TwoBuilds(published, earlier, served_snapshot(published), reads, build_seconds)


def test_a_reader_connected_through_a_full_build_sees_only_complete_snapshots(two_builds: TwoBuilds) -> None:
    reads = two_builds.reads
    assert reads, "the reader made no query"
    assert all(read["rows"] == read["expected"] for read in reads), [r for r in reads if r["rows"] != r["expected"]]
    earlier_id, later_id = two_builds.earlier.stem, two_builds.later.stem
    assert earlier_id != later_id
    assert reads[0]["snapshot"] == earlier_id and reads[-1]["snapshot"] == later_id
    assert {read["snapshot"] for read in reads} == {earlier_id, later_id}
    # The two as_of values have different customer counts, so a mixed read could not pass.
    assert len({read["expected"] for read in reads}) == 2
    slowest = max(float(str(read["seconds"])) for read in reads)
    print(f"{len(reads)} reads during a {two_builds.build_seconds:.0f} s make build; slowest {slowest:.3f} s")


def test_audience_deltas_are_the_set_difference_of_two_snapshots(two_builds: TwoBuilds) -> None:
    with duckdb.connect(str(two_builds.later), read_only=True) as connection:
        connection.execute(f"attach '{two_builds.earlier}' as earlier (read_only)")
        previous_as_of, as_of = connection.execute(
            "select min(previous_as_of), min(as_of) from main_activation.audience_deltas").fetchone()
        assert str(previous_as_of) == EARLIER_AS_OF and as_of > previous_as_of
        for change, newer, older in (("added", "main_activation", "earlier.main_activation"),
                                     ("removed", "earlier.main_activation", "main_activation")):
            expected = set(connection.execute(
                f"select {MEMBER_KEY} from {newer}.audience_members"
                f" except select {MEMBER_KEY} from {older}.audience_members").fetchall())
            actual = connection.execute(
                f"select {MEMBER_KEY} from main_activation.audience_deltas where change = ?", [change]).fetchall()
            assert len(actual) == len(set(actual))
            assert set(actual) == expected, change
            assert expected, f"nothing {change} in a week of the demo"


def test_no_ads_export_holds_an_email_address(two_builds: TwoBuilds, tmp_path: Path) -> None:
    with duckdb.connect(str(two_builds.later), read_only=True) as connection:
        audiences = connection.execute(
            "select distinct audience_family, audience_name from main_activation.audience_members"
            " where channel = 'ads'").fetchall()
    assert len(audiences) > 10
    for family, name in audiences:
        path = export_audience.export(two_builds.later, tmp_path, name, "ads", family)
        with path.open(newline="") as file:
            rows = list(csv.reader(file))
        assert rows[0] == ["email"] and len(rows) > 1
        assert not any("@" in value for row in rows for value in row), path
        assert all(len(row[0]) == 64 for row in rows[1:])
