"""Publish the built marts as an immutable snapshot that BI tools read while the next build runs.

dbt builds into a work database (SEGMENTS_DUCKDB_PATH, default segments.duckdb) that it locks
while it writes. This script copies the mart schemas of that database into a new DuckDB file,
`<published>/snapshots/<as_of>-<id>.duckdb` (views become tables), writes every table as Parquet
with a manifest.json next to it, then points the served paths at them by replacing a symlink:

    published/segments.duckdb  -> snapshots/<as_of>-<id>.duckdb
    published/<as_of>/         -> snapshots/<as_of>-<id>/   (<table>.parquet, manifest.json)

`os.replace` of a symlink is atomic on POSIX: a reader opening the path gets the old or the new
complete file, and a reader that has it open keeps its file. The last `--keep` snapshots are kept
(default: var `published_snapshots_to_keep` as dbt resolves it, `--vars` included); the one served
is never deleted. The snapshot records a digest of the vars dbt resolved for the build
(`vars_sha256`), learned from dbt through store_segments/dbt_door.py, as is its as_of when the build
hands it over (`make build`); run alone, this script reads as_of from the marts it copies.

With `--target spark` (any dbt target whose tables BI tools read in place) there is no DuckDB file
to serve: the engine itself writes the Parquet export (macro `export_parquet`, through
`dbt run-operation`), and this script adds the manifest and the `published/<as_of>/` link.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from store_segments.dbt_door import REPO_ROOT, project_settings, work_database

ROOT = REPO_ROOT

# Every table and view of these schemas is published (the first is the one the marts are in).
MART_SCHEMAS: tuple[str, ...] = ("main", "main_activation")
# Audit tables published as they are: a BI tool shows whether staging accounted for every raw row.
AUDIT_TABLES: tuple[tuple[str, str], ...] = (("main_audit", "staging_reconciliation"),)
# quarantined_rows holds whole raw rows; the snapshot carries its counts per table and reason.
QUARANTINE_COUNTS = ("main_audit", "quarantined_rows", "quarantined_row_counts")
# Written into every snapshot so that a reader can tell, in SQL, which snapshot it has open.
INFO_SCHEMA = "publish"
SERVED_NAME = "segments.duckdb"
KEEP_VAR = "segments__published_snapshots_to_keep"


@dataclass(frozen=True)
class PublishedSnapshot:
    """Where a publish put its files and what it wrote."""

    snapshot_id: str
    database: Path
    parquet_dir: Path
    manifest: dict[str, Any]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _relations(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, name) of every table and view to copy from the attached `work` db."""
    found = connection.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'work' "
        "union all "
        "select schema_name, view_name from duckdb_views() where database_name = 'work' "
        "and not internal order by 1, 2"
    ).fetchall()
    present = {(str(schema), str(name)) for schema, name in found}
    relations = [(s, n) for s, n in sorted(present) if s in MART_SCHEMAS]
    relations += [(s, n) for s, n in AUDIT_TABLES if (s, n) in present]
    if not any(schema == MART_SCHEMAS[0] for schema, _ in relations):
        raise SystemExit(f"no table in schema {MART_SCHEMAS[0]} of the work database: run `make build` first")
    return relations


def read_as_of(connection: duckdb.DuckDBPyConnection, schema: str = "main") -> datetime:
    """The as_of of the marts in the attached `work` db: customer_facts' when built, else that of the
    first table that has one (a publish without a dbt session to ask, e.g. this script alone)."""
    columns = connection.execute(
        "select table_name from duckdb_columns() where database_name = 'work' and schema_name = ? "
        "and column_name = 'as_of' order by table_name <> 'customer_facts', table_name",
        [schema],
    ).fetchall()
    if not columns:
        raise SystemExit(f"no table of schema {schema} has an as_of column")
    value = connection.execute(
        f"select max(as_of) from work.{_quote(schema)}.{_quote(str(columns[0][0]))}"
    ).fetchone()
    if value is None or not isinstance(value[0], datetime):
        raise SystemExit(f"{schema}.{columns[0][0]} has no as_of")
    return value[0]


def vars_digest(resolved_vars: dict[str, Any]) -> str:
    """sha256 of the vars dbt resolved for the build (the project's with --vars over them), as
    canonical JSON."""
    canonical = json.dumps(resolved_vars, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def served_as_of(published_dir: Path) -> datetime | None:
    """The as_of of the snapshot BI tools read now, from the snapshot itself (None before the first
    publish). Not the as_of of a build: that is DbtSession.as_of()."""
    served = published_dir / SERVED_NAME
    if not served.exists():
        return None
    with duckdb.connect(str(served), read_only=True) as connection:
        found = connection.execute(f"select max(as_of) from {INFO_SCHEMA}.snapshot").fetchone()
    return found[0] if found and isinstance(found[0], datetime) else None


def git_commit(directory: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def _replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically: a new symlink under a temporary name renamed onto it."""
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex}.tmp")
    os.symlink(target, temporary)
    os.replace(temporary, link)


@contextmanager
def _publish_lock(published: Path) -> Iterator[None]:
    """One publish at a time per folder (two would race on the symlinks and the clean-up)."""
    with open(published / ".publish.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def served_id(published: Path) -> str | None:
    """The id of the snapshot the served link points at (None before the first publish)."""
    served = published / SERVED_NAME
    return Path(os.readlink(served)).stem if served.is_symlink() else None


def _written_at(snapshots: Path, snapshot_id: str) -> int:
    database = snapshots / f"{snapshot_id}.duckdb"
    return (database if database.exists() else snapshots / snapshot_id).stat().st_mtime_ns


def prune(published: Path, keep: int) -> list[str]:
    """Delete all but the `keep` latest snapshots (by file time: as_of may go back), never the one served."""
    snapshots = published / "snapshots"
    served = served_id(published)
    # A snapshot is a DuckDB file with its Parquet folder, or the folder alone (--target spark);
    # names starting with a dot are publishes in progress.
    found = {path.stem for path in snapshots.glob("*.duckdb")} | {
        path.name for path in snapshots.iterdir() if path.is_dir() and not path.name.startswith(".")
    }
    ids = sorted(found, key=lambda snapshot_id: _written_at(snapshots, snapshot_id), reverse=True)
    deleted = [stem for stem in ids[max(keep, 0):] if stem != served]
    for stem in deleted:
        (snapshots / f"{stem}.duckdb").unlink(missing_ok=True)
        shutil.rmtree(snapshots / stem, ignore_errors=True)
    # An as_of folder link whose snapshot is gone goes too.
    for link in published.iterdir():
        if link.is_symlink() and link.name != SERVED_NAME and not link.exists():
            link.unlink()
    return deleted


def publish(
    work_database: Path,
    published: Path,
    keep: int,
    *,
    resolved_vars: dict[str, Any] | None = None,
    as_of: datetime | None = None,
    project_dir: Path = ROOT,
) -> PublishedSnapshot:
    """Copy the marts of `work_database` into a new snapshot under `published` and serve it.
    `resolved_vars` and `as_of` are what dbt resolved for the build (DbtSession.settings.vars and
    DbtSession.as_of()); without as_of, that of the marts copied."""
    if not work_database.exists():
        raise SystemExit(f"{work_database} does not exist: run `make build` first")
    snapshots = published / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with _publish_lock(published):
        if as_of is None:
            with duckdb.connect() as probe:
                probe.execute(f"attach {_quote_literal(work_database)} as work (read_only)")
                as_of = read_as_of(probe)
        as_of_key = as_of.strftime("%Y%m%dT%H%M%S")
        snapshot_id = f"{as_of_key}-{uuid.uuid4().hex[:8]}"
        database = snapshots / f"{snapshot_id}.duckdb"
        staging = snapshots / f".{snapshot_id}.tmp"
        building = snapshots / f".{snapshot_id}.duckdb.tmp"
        try:
            manifest = _write_snapshot(work_database, building, staging, snapshot_id, as_of, project_dir,
                                       vars_digest(resolved_vars or {}))
        except BaseException:
            building.unlink(missing_ok=True)
            shutil.rmtree(staging, ignore_errors=True)
            raise
        # Complete files first, then the renames, then the links: whatever a reader resolves is whole.
        os.replace(building, database)
        os.replace(staging, snapshots / snapshot_id)
        _replace_symlink(published / as_of_key, f"snapshots/{snapshot_id}")
        _replace_symlink(published / SERVED_NAME, f"snapshots/{snapshot_id}.duckdb")
        prune(published, keep)
    manifest["publish_seconds"] = round(time.monotonic() - started, 2)
    return PublishedSnapshot(snapshot_id, database, snapshots / snapshot_id, manifest)


def publish_parquet(
    published: Path,
    keep: int,
    target: str,
    *,
    resolved_vars: dict[str, Any] | None = None,
    cli_vars: dict[str, Any] | None = None,
    project_dir: Path = ROOT,
) -> PublishedSnapshot:
    """The Parquet export of the tables dbt built on `target`, written by the engine, and its
    manifest; `resolved_vars` as in `publish`, `cli_vars` the --vars of the export."""
    snapshots = published / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with _publish_lock(published):
        staging = snapshots / f".{uuid.uuid4().hex}.tmp"
        staging.mkdir()
        try:
            row_counts = _export_with_dbt(staging, target, cli_vars or {}, project_dir)
            with duckdb.connect() as connection:
                connection.execute("set TimeZone = 'UTC'")
                found = connection.execute(
                    f"select max(as_of) from read_parquet({_quote_literal(_parquet_glob(staging, 'customer_facts'))})"
                ).fetchone()
            if not found or found[0] is None:
                raise SystemExit(f"the {target} build has no customer_facts rows: nothing to publish")
            as_of = found[0]
            as_of_key = as_of.strftime("%Y%m%dT%H%M%S")
            snapshot_id = f"{as_of_key}-{uuid.uuid4().hex[:8]}"
            manifest: dict[str, Any] = {
                "snapshot_id": snapshot_id,
                "target": target,
                "as_of": as_of.isoformat(),
                "published_at": datetime.now(UTC).isoformat(),
                "git_commit": git_commit(project_dir),
                "vars_sha256": vars_digest(resolved_vars or {}),
                "row_counts": row_counts,
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        os.replace(staging, snapshots / snapshot_id)
        _replace_symlink(published / as_of_key, f"snapshots/{snapshot_id}")
        prune(published, keep)
    manifest["publish_seconds"] = round(time.monotonic() - started, 2)
    return PublishedSnapshot(snapshot_id, snapshots / f"{snapshot_id}.duckdb", snapshots / snapshot_id, manifest)


def _parquet_glob(folder: Path, model: str) -> str:
    """DuckDB writes `<model>.parquet`, Spark a folder `<model>/` of part files."""
    single = folder / f"{model}.parquet"
    return str(single) if single.exists() else str(folder / model / "*.parquet")


def _export_with_dbt(folder: Path, target: str, cli_vars: dict[str, Any], project_dir: Path) -> dict[str, int]:
    """Run the macro export_parquet on `target`; the row count per model it printed."""
    command = [
        str(Path(sys.executable).with_name("dbt")), "--quiet", "run-operation", "export_parquet",
        "--target", target, "--args", json.dumps({"path": str(folder.resolve())}),
    ]
    if cli_vars:
        command += ["--vars", json.dumps(cli_vars)]
    result = subprocess.run(command, cwd=project_dir, capture_output=True, text=True, check=False)
    printed = [line for line in result.stdout.splitlines() if line.startswith('{"row_counts"')]
    if result.returncode != 0 or not printed:
        raise SystemExit(f"dbt run-operation export_parquet failed on {target}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return {str(name): int(count) for name, count in json.loads(printed[-1])["row_counts"].items()}


def _copies(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(schema, table, query) of every table the snapshot holds, read from the attached `work` db."""
    copies = [
        (schema, name, f"select * from work.{_quote(schema)}.{_quote(name)}")
        for schema, name in _relations(connection)
    ]
    audit_schema, quarantine_table, counts_table = QUARANTINE_COUNTS
    found = connection.execute(
        "select count(*) from information_schema.tables where table_catalog = 'work' "
        "and table_schema = ? and table_name = ?",
        [audit_schema, quarantine_table],
    ).fetchone()
    if found and found[0]:
        copies.append((
            audit_schema, counts_table,
            "select source_table, quarantine_reason, count(*) as row_count "
            f"from work.{_quote(audit_schema)}.{_quote(quarantine_table)} group by 1, 2",
        ))
    return copies


def _write_snapshot(
    work_database: Path, building: Path, staging: Path, snapshot_id: str, as_of: datetime,
    project_dir: Path, vars_sha256: str,
) -> dict[str, Any]:
    """The snapshot's DuckDB file at `building`, its Parquet files and manifest.json in `staging`."""
    staging.mkdir()
    manifest: dict[str, Any] = {
        "snapshot_id": snapshot_id,
        "as_of": as_of.isoformat(),
        "published_at": datetime.now(UTC).isoformat(),
        "git_commit": git_commit(project_dir),
        "vars_sha256": vars_sha256,
        "row_counts": {},
    }
    with duckdb.connect(str(building)) as connection:
        connection.execute("set TimeZone = 'UTC'")
        connection.execute(f"attach {_quote_literal(work_database)} as work (read_only)")
        copies = _copies(connection)
        for schema in sorted({schema for schema, _, _ in copies} | {INFO_SCHEMA}):
            connection.execute(f"create schema if not exists {_quote(schema)}")
        for schema, name, query in copies:
            relation = f"{_quote(schema)}.{_quote(name)}"
            connection.execute(f"create table {relation} as {query}")
            counted = connection.execute(f"select count(*) from {relation}").fetchone()
            in_main = schema == MART_SCHEMAS[0]
            manifest["row_counts"][name if in_main else f"{schema}.{name}"] = int(counted[0]) if counted else 0
            parquet = staging / (f"{name}.parquet" if in_main else f"{schema}/{name}.parquet")
            parquet.parent.mkdir(exist_ok=True)
            connection.execute(f"copy {relation} to {_quote_literal(parquet)} (format parquet)")
        connection.execute(
            f"create table {INFO_SCHEMA}.snapshot as select ? as snapshot_id, ?::timestamp as as_of, "
            "?::timestamptz as published_at, ? as git_commit, ? as vars_sha256",
            [snapshot_id, as_of, manifest["published_at"], manifest["git_commit"], vars_sha256],
        )
        connection.execute("detach work")
        connection.execute("checkpoint")
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _quote_literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "database", type=Path, nargs="?",
        help="the work database dbt built (default: the profile's, $SEGMENTS_DUCKDB_PATH else segments.duckdb)",
    )
    parser.add_argument("--published-dir", type=Path, default=Path("published"))
    parser.add_argument("--keep", type=int, help=f"snapshots to keep (default: var {KEEP_VAR})")
    parser.add_argument("--vars", default="", help="the --vars of the build (YAML), as given to dbt")
    parser.add_argument("--project-dir", type=Path, default=ROOT)
    parser.add_argument(
        "--target", help="a dbt target whose tables are read in place (e.g. spark): write its Parquet export only"
    )
    args = parser.parse_args(argv)
    cli_vars = dict(yaml.safe_load(args.vars) or {}) if args.vars.strip() else {}
    resolved_vars = project_settings(args.project_dir, cli_vars, args.target).vars
    keep = args.keep if args.keep is not None else int(resolved_vars[KEEP_VAR])
    if keep < 1:
        parser.error("keep at least one snapshot")
    if args.target:
        snapshot = publish_parquet(args.published_dir, keep, args.target, resolved_vars=resolved_vars,
                                   cli_vars=cli_vars, project_dir=args.project_dir)
        print(
            f"Published the Parquet export of {args.target}: {snapshot.snapshot_id} "
            f"({len(snapshot.manifest['row_counts'])} tables, {size_of(snapshot.parquet_dir) / 1e6:.1f} MB, "
            f"{snapshot.manifest['publish_seconds']} s)\n  Parquet:  {args.published_dir / snapshot.snapshot_id.split('-')[0]}/"
        )
        return 0
    snapshot = publish(args.database or work_database(args.project_dir), args.published_dir, keep,
                       resolved_vars=resolved_vars,
                       project_dir=args.project_dir)
    served = args.published_dir / SERVED_NAME
    print(
        f"Published {snapshot.snapshot_id} ({len(snapshot.manifest['row_counts'])} tables, "
        f"{size_of(snapshot.database) / 1e6:.1f} MB DuckDB, {size_of(snapshot.parquet_dir) / 1e6:.1f} MB Parquet, "
        f"{snapshot.manifest['publish_seconds']} s)\n"
        f"  BI tools: {served} (read-only)\n"
        f"  query:    .venv/bin/segments query {served}\n"
        f"  Parquet:  {args.published_dir / snapshot.snapshot_id.split('-')[0]}/"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
