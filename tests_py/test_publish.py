"""src/store_segments/runtime/publish.py: a snapshot of the marts that readers open while the next one is published."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from store_segments.runtime import publish

ROOT = Path(__file__).resolve().parent.parent


def make_work_database(path: Path, customers: int = 5) -> Path:
    """A small work database: two tables and a view in `main`, an audit schema, a staging view."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema main_audit")
        connection.execute("create schema main_staging")
        connection.execute(
            "create table main.customer_facts as select range as customer_id, "
            "timestamp '2026-10-31 18:00:00' as as_of from range(?)",
            [customers],
        )
        connection.execute("create table main.orders as select range as order_id from range(7)")
        # A mart view that reads another schema: the snapshot holds its rows, not the view.
        connection.execute("create view main_staging.stg_big as select * from main.customer_facts")
        connection.execute("create view main.big_customers as select * from main_staging.stg_big where customer_id > 1")
        connection.execute("create table main_audit.staging_reconciliation as select 'orders' as raw_table, 7 as rows_in")
        connection.execute(
            "create table main_audit.quarantined_rows as select * from "
            "(values ('orders', 'implausible_amount'), ('orders', 'implausible_amount')) as t(source_table, quarantine_reason)"
        )
    return path


def served(published_dir: Path) -> Path:
    return Path(os.path.realpath(published_dir / publish.SERVED_NAME))


def test_publish_serves_a_complete_snapshot_with_its_manifest_and_parquet(tmp_path: Path) -> None:
    work = make_work_database(tmp_path / "work.duckdb")
    out = tmp_path / "published"
    snapshot = publish.publish(work, out, keep=3)

    assert served(out) == snapshot.database.resolve()
    manifest = json.loads((out / "20261031T180000" / "manifest.json").read_text())
    assert manifest["as_of"] == "2026-10-31T18:00:00"
    assert manifest["snapshot_id"] == snapshot.snapshot_id
    assert manifest["row_counts"] == {
        "big_customers": 3, "customer_facts": 5, "orders": 7,
        "main_audit.staging_reconciliation": 1, "main_audit.quarantined_row_counts": 1,
    }
    assert len(manifest["vars_sha256"]) == 64
    with duckdb.connect(str(out / publish.SERVED_NAME), read_only=True) as connection:
        for table, rows in manifest["row_counts"].items():
            assert connection.execute(f"select count(*) from {table}").fetchone() == (rows,)
        # The view was materialised: the snapshot has no view and reads nothing of the work db.
        assert connection.execute("select count(*) from duckdb_views() where not internal").fetchone() == (0,)
        assert connection.execute("select snapshot_id from publish.snapshot").fetchone() == (snapshot.snapshot_id,)
        for table, rows in manifest["row_counts"].items():
            parquet = out / "20261031T180000" / (f"{table}.parquet" if "." not in table else table.replace(".", "/") + ".parquet")
            assert connection.execute(f"select count(*) from '{parquet}'").fetchone() == (rows,)
    # Nothing half-written is left behind.
    assert not [path for path in (out / "snapshots").iterdir() if path.name.startswith(".")]


def test_a_second_publish_switches_and_keeping_n_deletes_only_older_ones(tmp_path: Path) -> None:
    work = make_work_database(tmp_path / "work.duckdb")
    out = tmp_path / "published"
    ids = []
    for _ in range(4):
        ids.append(publish.publish(work, out, keep=2).snapshot_id)
        assert served(out).stem == ids[-1]
    kept = sorted(path.stem for path in (out / "snapshots").glob("*.duckdb"))
    assert kept == sorted(ids[-2:])
    assert sorted(path.name for path in (out / "snapshots").iterdir() if path.is_dir()) == sorted(ids[-2:])
    # An as_of link points at the latest folder of that as_of.
    assert Path(os.path.realpath(out / "20261031T180000")).name == ids[-1]


def test_prune_never_deletes_the_served_snapshot(tmp_path: Path) -> None:
    work = make_work_database(tmp_path / "work.duckdb")
    out = tmp_path / "published"
    first = publish.publish(work, out, keep=5)
    second = publish.publish(work, out, keep=5)
    # Roll back: serve the older one (as an operator would), then prune to one snapshot.
    os.replace(out / publish.SERVED_NAME, out / "rollback")
    os.symlink(f"snapshots/{first.snapshot_id}.duckdb", out / publish.SERVED_NAME)
    os.unlink(out / "rollback")
    assert publish.prune(out, keep=1) == []
    assert first.database.exists() and second.database.exists()


def test_the_vars_hash_follows_the_vars() -> None:
    base = publish.vars_digest({"segments__as_of": None, "segments__vip_min_orders": 3})
    assert base == publish.vars_digest({"segments__vip_min_orders": 3, "segments__as_of": None})
    assert base != publish.vars_digest({"segments__as_of": "2026-06-01", "segments__vip_min_orders": 3})
    assert base != publish.vars_digest({"segments__as_of": None, "segments__vip_min_orders": 4})


def test_nothing_is_served_from_a_database_without_marts(tmp_path: Path) -> None:
    work = tmp_path / "empty.duckdb"
    duckdb.connect(str(work)).close()
    with pytest.raises(SystemExit):
        publish.publish(work, tmp_path / "published", keep=3)
    assert not (tmp_path / "published" / publish.SERVED_NAME).exists()
    assert list((tmp_path / "published" / "snapshots").iterdir()) == []


READER = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    import duckdb

    out = Path(sys.argv[1])
    path = out / "segments.duckdb"
    seen, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline:
        last = (out / "done").exists()
        before = Path(os.path.realpath(path)).stem
        with duckdb.connect(str(path), read_only=True) as connection:
            snapshot_id = connection.execute("select snapshot_id from publish.snapshot").fetchone()[0]
            rows = connection.execute("select count(*) from customer_facts").fetchone()[0]
        after = Path(os.path.realpath(path)).stem
        # The file opened is the one the link named just before or just after connecting.
        assert snapshot_id in (before, after), (snapshot_id, before, after)
        manifest = json.loads((out / "snapshots" / snapshot_id / "manifest.json").read_text())
        assert rows == manifest["row_counts"]["customer_facts"], (snapshot_id, rows, manifest)
        seen.append(snapshot_id)
        (out / "reading").touch()
        if last:
            break
    print(json.dumps(seen))
    """
)


def test_a_reader_always_sees_a_complete_snapshot_while_publishes_run(tmp_path: Path) -> None:
    out = tmp_path / "published"
    first = publish.publish(make_work_database(tmp_path / "work0.duckdb", customers=10), out, keep=10)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        published = [first.snapshot_id]
        works = [make_work_database(tmp_path / f"work{i}.duckdb", customers=10 + i) for i in range(1, 4)]
        while not (out / "reading").exists() and reader.poll() is None:
            time.sleep(0.01)
        # Each publish has another row count, so a reader mixing two snapshots would be caught.
        for work in works:
            published.append(publish.publish(work, out, keep=10).snapshot_id)
        (out / "done").touch()
        stdout, stderr = reader.communicate(timeout=90)
    finally:
        reader.kill()
    assert reader.returncode == 0, stderr
    seen = json.loads(stdout)
    # The reader read before the first publish of the loop and after the last one.
    assert seen[0] == published[0] and seen[-1] == published[-1]
    assert set(seen) <= set(published)
    print(f"{len(seen)} reads of {len(set(seen))} snapshots")


def test_the_script_publishes_the_demo_build(built_database: Path, tmp_path: Path) -> None:
    work = tmp_path / "segments.duckdb"
    shutil.copy2(built_database, work)
    out = tmp_path / "published"
    result = subprocess.run(
        [sys.executable, "-m", "store_segments.cli", "publish", str(work), "--published-dir", str(out)],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"query:    .venv/bin/segments query {out / 'segments.duckdb'}\n" in result.stdout
    manifests = list(out.glob("*/manifest.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text())
    assert datetime.fromisoformat(manifest["as_of"]).strftime("%Y%m%dT%H%M%S") == manifests[0].parent.name
    with duckdb.connect(str(out / "segments.duckdb"), read_only=True) as connection:
        tables = {
            f"{schema}.{name}" if schema != "main" else name
            for schema, name in connection.execute(
                "select schema_name, table_name from duckdb_tables() where schema_name <> 'publish'"
            ).fetchall()
        }
        assert tables == set(manifest["row_counts"])
        assert {"customer_facts", "segment_memberships", "customer_personas", "journey_queue",
                "main_audit.staging_reconciliation", "main_audit.quarantined_row_counts"} <= tables
        for table in ("customer_facts", "segment_memberships"):
            assert connection.execute(f"select count(*) from {table}").fetchone() == (manifest["row_counts"][table],)
    with duckdb.connect(str(work), read_only=True) as connection:
        assert connection.execute("select count(*) from main.customer_facts").fetchone() == (
            manifest["row_counts"]["customer_facts"],
        )


def test_the_benchmark_publishes_and_measures_the_snapshot(tmp_path: Path) -> None:
    from store_segments.bench import benchmark

    make_work_database(tmp_path / "segments.duckdb")
    # Not the as_of in the tables (2026-10-31 18:00): the snapshot takes the one dbt gave the build.
    as_of, resolved_vars = datetime(2026, 11, 2, 6), {"segments__as_of": None, "segments__vip_min_orders": 3}
    measured = benchmark.publish_full_build(tmp_path, as_of, resolved_vars)
    assert measured.tables == 5
    assert measured.wall_seconds > 0 and measured.duckdb_mb > 0 and measured.parquet_mb > 0
    with duckdb.connect(str(served(tmp_path / "published")), read_only=True) as connection:
        assert connection.execute(f"select as_of, vars_sha256 from {publish.INFO_SCHEMA}.snapshot").fetchall() == [
            (as_of, publish.vars_digest(resolved_vars))]


def test_the_engine_writes_the_parquet_export_of_a_target(
    built_database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--target: the Parquet export through dbt's macro export_parquet (run here on DuckDB; the
    Spark parity suite runs it on Spark), with the manifest publish.py writes."""
    work = tmp_path / "segments.duckdb"
    shutil.copy2(built_database, work)
    monkeypatch.setenv("SEGMENTS_DUCKDB_PATH", str(work))
    monkeypatch.setenv("DBT_PROFILES_DIR", str(ROOT))
    out = tmp_path / "published"
    snapshot = publish.publish_parquet(out, keep=3, target="dev")
    manifest = json.loads((out / snapshot.snapshot_id.split("-")[0] / "manifest.json").read_text())
    assert manifest["target"] == "dev" and manifest["row_counts"] == snapshot.manifest["row_counts"]
    assert not (out / publish.SERVED_NAME).exists()
    with duckdb.connect(str(work), read_only=True) as connection:
        (as_of,) = connection.execute("select max(as_of) from customer_facts").fetchone() or (None,)
        assert manifest["as_of"] == as_of.isoformat()
        for model in ("customer_facts", "customer_personas", "audience_members", "staging_reconciliation"):
            schema = {"audience_members": "main_activation", "staging_reconciliation": "main_audit"}.get(model, "main")
            (rows,) = connection.execute(f"select count(*) from {schema}.{model}").fetchone() or (0,)
            assert manifest["row_counts"][model] == rows > 0
            parquet = snapshot.parquet_dir / f"{model}.parquet"
            assert connection.execute(f"select count(*) from read_parquet('{parquet}')").fetchone() == (rows,)
