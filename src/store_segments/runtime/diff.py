"""What a change of code, vars or definitions does to the segments at the served as_of, before it goes live.

`make diff [BASE=<git ref>] [VARS=...]` runs this. It builds two versions of the project on the same raw
data at the same as_of, each into a scratch DuckDB file under a temporary folder, and compares them:

- the base: by default the commit and vars of the build that published the served snapshot (its
  manifest.json and status record); with `--base REF`, that git ref with the vars of `--vars`. It is
  checked out with `git worktree add --detach` into the temporary folder and removed after;
- the change: this working tree as it is (uncommitted edits included), with `--vars` and, over them,
  `--change-vars`.

Both read the working tree's raw seeds (the raw data; reference seeds are code and come with each
version) and its raw files (var segments__raw_path), at the served snapshot's as_of (when nothing is served, the
as_of of the vars, else the one each build derives from the data). The history models (full_refresh
false: segment_history, audience_history) read a copy of the history the work database recorded up
to that as_of, so segment_changes, the retention journey and audience_deltas see the same past on
both sides. A base whose requirements.txt differs from the working tree's builds in a venv of its own,
cached under ~/.cache/segments/envs/<sha256 of requirements.txt>. The builds run dbt's models and
seeds only (data tests are the build gate's business). Nothing writes to the work database, the
served snapshot or the history: they are opened read-only.

The report (Markdown to paste into a pull request, and JSON), in diff/<stamp>.md and .json:
members per segment family and segment before and after, entered, left and stayed, with the net
revenue of valid orders in the 365 days before as_of of the customers who move; due and suppressed
counts per journey; every table compared by content (every row, EXCEPT ALL both ways), with rows
added, removed and changed (by the table's unique key) and columns added and removed; and a sample
of the customers who moved (var segments__diff_sample_customers per segment) with the values that decided.

Exit codes: 0 done (also when nothing changed: one line says so), 1 a build or checkout failed,
3 `--fail-above SHARE` and a segment's entered plus left exceed that share of its members before.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from store_segments.runtime import build, publish, replay
from store_segments import dbt_door
from store_segments.dbt_door import REPO_ROOT, project_settings, vars_yaml

SAMPLE_VAR = "segments__diff_sample_customers"
HISTORY_SELECT = replay.HISTORY_MODELS
ENV_CACHE = Path(os.environ.get("SEGMENTS_ENV_CACHE", Path.home() / ".cache" / "segments" / "envs"))
# The raw data both versions read: the seeds of schema raw are the top-level CSVs of seeds/.
RAW_SEED_GLOB = "seeds/*.csv"
# Catalog names: dbt-duckdb names a file's catalog by its stem, and views refer to it by that name,
# so the comparison attaches each file under the same name.
SIDES = ("base", "change")
# The tests of a table's grain, read from the change's manifest to pair rows that changed.
KEY_TESTS = ("unique", "unique_combination")
# The values a sample of moved customers shows, per table of the marts (those that exist).
DECIDING_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_rfm": ("rfm_cell", "recency_days", "frequency", "monetary"),
    "customer_facts": ("valid_orders", "lifetime_net_revenue", "aov", "days_since_last_order", "orders_last_365d",
                       "days_since_last_email_engagement", "days_since_last_engagement", "is_emailable"),
    "customer_lifecycle": ("lifecycle_stage", "lapse_status", "is_vip"),
}
# Shown beside entered_because in the Markdown (the JSON has them all): what most definitions read.
SHOWN_VALUES = ("rfm_cell", "valid_orders", "orders_last_365d", "lifetime_net_revenue", "lifecycle_stage")
# Net revenue at stake: valid orders in the 365 days before as_of (int_orders, as orders_last_365d counts them).
REVENUE_WINDOW_DAYS = 365
GATE_EXIT = 3
# The last base built, reused while its commit, vars, raw seeds and recorded history are the same:
# iterating on a change then costs one build. Bump the format when what a base holds changes.
BASE_CACHE_DIR = Path("target") / "diff_base"
BASE_CACHE_FORMAT = 1


@dataclass
class Version:
    """One side of the diff: a checkout, the dbt it runs with and where it builds."""

    label: str
    description: str
    project_dir: Path
    dbt: Path
    database: Path
    target_path: Path
    build_vars: dict[str, Any]
    seconds: float = 0.0
    history: list[tuple[str, str]] | None = None


@dataclass
class Served:
    """What BI tools read now: its as_of and the commit and vars of the build that published it."""

    snapshot_id: str | None = None
    as_of: datetime | None = None
    git_commit: str | None = None
    build_vars: dict[str, Any] | None = None


@dataclass
class SegmentMove:
    """One segment's members before and after, and the net revenue of those who entered and left."""

    family: str
    segment: str
    before: int
    after: int
    entered: int
    left: int
    stayed: int
    revenue_entered: float
    revenue_left: float
    entered_customers: list[str] = field(default_factory=list)
    left_customers: list[str] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return self.entered + self.left

    @property
    def share(self) -> float:
        """Entered plus left over the members before (infinite for a segment that was empty)."""
        if self.before == 0:
            return math.inf if self.moved else 0.0
        return self.moved / self.before


@dataclass
class TableChange:
    """One table compared row for row: rows added, removed and changed (None without a key)."""

    table: str
    rows_before: int
    rows_after: int
    added: int
    removed: int
    changed: int | None
    key: list[str] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)

    @property
    def is_changed(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.columns_added or self.columns_removed)


@dataclass
class Report:
    """Everything `make diff` found, as the Markdown and the JSON show it."""

    as_of: str | None
    base: str
    change: str
    base_vars: dict[str, Any]
    change_vars: dict[str, Any]
    segments: list[SegmentMove]
    journeys: list[dict[str, Any]]
    tables: list[TableChange]
    tables_only_in_base: list[str]
    tables_only_in_change: list[str]
    samples: list[dict[str, Any]]
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def moved_segments(self) -> list[SegmentMove]:
        return [segment for segment in self.segments if segment.moved]

    def changed_journeys(self) -> list[dict[str, Any]]:
        return [row for row in self.journeys if row["due_before"] != row["due_after"]
                or row["suppressed_before"] != row["suppressed_after"]]

    def changed_tables(self) -> list[TableChange]:
        return [table for table in self.tables if table.is_changed]

    def is_empty(self) -> bool:
        return not (self.moved_segments() or self.changed_journeys() or self.changed_tables()
                    or self.tables_only_in_base or self.tables_only_in_change)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for segment, moved in zip(data["segments"], self.segments, strict=True):
            segment["moved"] = moved.moved
            segment["share"] = None if math.isinf(moved.share) else round(moved.share, 4)
        data["unchanged_tables"] = [table.table for table in self.tables if not table.is_changed]
        data["no_change"] = self.is_empty()
        return data


# -- where the base comes from ---------------------------------------------------------------------

def git(arguments: list[str], cwd: Path) -> str:
    """stdout of a git command in `cwd`; RuntimeError with git's message when it fails."""
    result = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(arguments)}: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout.strip()


def status_record_of(published_dir: Path, snapshot_id: str) -> dict[str, Any] | None:
    """The status record of the build that published `snapshot_id` (the latest such record)."""
    candidates = [published_dir / build.LAST_STATUS, *sorted((published_dir / build.STATUS_DIR).glob("*.json"),
                                                              reverse=True)]
    for path in candidates:
        if not path.is_file():
            continue
        record = json.loads(path.read_text())
        if record.get("published_snapshot") == snapshot_id:
            return dict(record)
    return None


def served_state(published_dir: Path) -> Served:
    """The served snapshot's as_of, and the commit and vars its build recorded."""
    snapshot_id = publish.served_id(published_dir)
    if snapshot_id is None:
        return Served()
    served = Served(snapshot_id=snapshot_id, as_of=publish.served_as_of(published_dir))
    manifest = published_dir / "snapshots" / snapshot_id / "manifest.json"
    if manifest.is_file():
        served.git_commit = json.loads(manifest.read_text()).get("git_commit")
    record = status_record_of(published_dir, snapshot_id)
    if record is not None:
        served.build_vars = dict(record.get("vars") or {})
        served.git_commit = served.git_commit or record.get("git_commit")
    return served


def requirements_digest(project_dir: Path) -> str:
    return hashlib.sha256((project_dir / "requirements.txt").read_bytes()).hexdigest()


def dbt_for(base_dir: Path, repo: Path) -> Path:
    """The dbt the base runs with: this venv's when its requirements are the working tree's, else that
    of a venv created once per requirements (cached by their sha256)."""
    current = Path(sys.executable).with_name("dbt")
    digest = requirements_digest(base_dir)
    if digest == requirements_digest(repo):
        return current
    venv = ENV_CACHE / digest
    stamp = venv / ".installed"
    if not stamp.exists():
        print(f"The base's requirements differ: creating its environment in {venv} (once)", flush=True)
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", str(base_dir / "requirements.txt")],
                       check=True)
        stamp.touch()
    return venv / "bin" / "dbt"


def add_worktree(repo: Path, commit: str, destination: Path) -> None:
    """Check out `commit` (detached) at `destination`."""
    git(["worktree", "add", "--detach", "--quiet", str(destination), commit], repo)


def remove_worktree(repo: Path, destination: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(destination)], cwd=repo,
                   capture_output=True, check=False)
    shutil.rmtree(destination, ignore_errors=True)
    subprocess.run(["git", "worktree", "prune"], cwd=repo, capture_output=True, check=False)


def share_raw_data(repo: Path, base_dir: Path) -> None:
    """The base reads the working tree's raw seeds: both versions see the same raw data."""
    for stale in base_dir.glob(RAW_SEED_GLOB):
        stale.unlink()
    for seed in repo.glob(RAW_SEED_GLOB):
        shutil.copy2(seed, base_dir / seed.relative_to(repo))


# -- vars ------------------------------------------------------------------------------------------

def parse_vars(text: str) -> dict[str, Any]:
    return dict(yaml.safe_load(text) or {}) if text and text.strip() else {}


@functools.cache
def project_vars(repo: Path) -> dict[str, Any]:
    """The project's own vars (no --vars) as dbt resolves them in `repo`."""
    return project_settings(repo).vars


def pinned_vars(build_vars: dict[str, Any], as_of: datetime | None, repo: Path) -> dict[str, Any]:
    """A version's vars at the diff's as_of, with a relative raw_path made absolute (the working tree's)."""
    pinned = dict(build_vars)
    if as_of is not None:
        pinned["segments__as_of"] = replay.format_as_of(as_of)
    raw_path = pinned.get("segments__raw_path", project_vars(repo).get("segments__raw_path"))
    if isinstance(raw_path, str) and raw_path and not Path(raw_path).is_absolute():
        pinned["segments__raw_path"] = str(repo / raw_path)
    return pinned


def sample_size(repo: Path, build_vars: dict[str, Any]) -> int:
    value = build_vars.get(SAMPLE_VAR, project_vars(repo)[SAMPLE_VAR])
    return max(int(value), 0)


# -- building --------------------------------------------------------------------------------------

def dbt_environment(version: Version) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DBT_TARGET_PATH", "DBT_LOG_PATH", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    environment.update({
        "DBT_PROFILES_DIR": str(version.project_dir),
        "SEGMENTS_DUCKDB_PATH": str(version.database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    # The version's own package first: its dbt Python models import store_segments (the BTYD code),
    # which would otherwise be the working tree's installed one.
    package = version.project_dir / "src"
    if package.is_dir():
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, (str(package), environment.get("PYTHONPATH"))))
    return environment


def run_dbt(version: Version, arguments: list[str], log_name: str) -> str:
    """A dbt command of `version`; its stdout. RuntimeError naming the log when it fails."""
    command = [str(version.dbt), *arguments, "--project-dir", str(version.project_dir),
               "--target-path", str(version.target_path), "--log-path", str(version.target_path / "logs")]
    if version.build_vars:
        command += ["--vars", vars_yaml(version.build_vars)]
    result = subprocess.run(command, cwd=version.project_dir, env=dbt_environment(version),
                            capture_output=True, text=True, check=False)
    log = version.target_path / log_name
    log.write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise RuntimeError(f"dbt {arguments[0]} of the {version.label} ({version.description}) failed "
                           f"(log: {log}):\n{tail}")
    return result.stdout


def history_relations(version: Version) -> list[tuple[str, str]]:
    """(schema, table) of the version's history models (full_refresh false)."""
    listed = run_dbt(version, ["ls", "--quiet", "--resource-type", "model", "--select", HISTORY_SELECT,
                               "--output", "json", "--output-keys", "name", "schema", "alias"], "ls.log")
    relations = []
    for line in listed.splitlines():
        if line.startswith("{"):
            node = json.loads(line)
            relations.append((str(node["schema"]), str(node.get("alias") or node["name"])))
    return relations


def copy_history(work_database: Path, version: Version, relations: list[tuple[str, str]],
                 as_of: datetime | None) -> list[str]:
    """The recorded history (up to as_of) into the version's scratch database; the tables copied."""
    if not work_database.exists():
        return []
    copied = []
    with duckdb.connect(str(version.database)) as connection:
        connection.execute(f"attach {sql_literal(work_database)} as recorded (read_only)")
        present = {(str(s), str(t)) for s, t in connection.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'recorded'").fetchall()}
        for schema, table in relations:
            if (schema, table) not in present:
                continue
            connection.execute(f"create schema if not exists {quote(schema)}")
            where = f" where as_of <= {sql_literal(as_of)}" if as_of is not None else ""
            connection.execute(f"create table {quote(schema)}.{quote(table)} as "
                               f"select * from recorded.{quote(schema)}.{quote(table)}{where}")
            copied.append(f"{schema}.{table}")
        connection.execute("detach recorded")
    return copied


def build_version(version: Version, work_database: Path, as_of: datetime | None, lock: threading.Lock) -> list[str]:
    """List the history models, copy their recorded rows in, then build seeds and models."""
    started = time.monotonic()
    version.target_path.mkdir(parents=True, exist_ok=True)
    relations = version.history if version.history is not None else history_relations(version)
    with lock:  # one reader of the work database at a time in this process
        copied = copy_history(work_database, version, relations, as_of)
    run_dbt(version, ["build", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test"],
            "build.log")
    version.seconds = round(time.monotonic() - started, 1)
    return copied


# -- comparing -------------------------------------------------------------------------------------

def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def tables_of(connection: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, dict[str, str]]:
    """schema.table -> {column: type} of every table of a catalog. Left out: the raw seeds (both versions
    load the same files) and the build's own backups (schema <target>_build)."""
    rows = connection.execute(
        "select c.schema_name, c.table_name, c.column_name, c.data_type from duckdb_columns() as c "
        "join duckdb_tables() as t on c.database_name = t.database_name and c.schema_name = t.schema_name "
        "and c.table_name = t.table_name where c.database_name = ? and c.schema_name not like '%\\_build' escape '\\' "
        "and c.schema_name not like '%\\_raw' escape '\\' "
        "order by c.schema_name, c.table_name, c.column_index", [catalog]).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for schema, table, column, data_type in rows:
        tables.setdefault(f"{schema}.{table}", {})[str(column)] = str(data_type)
    return tables


def table_keys(target_path: Path) -> dict[str, list[str]]:
    """schema.table -> the columns of its unique or unique_combination test (unfiltered), from a manifest."""
    manifest_path = target_path / "manifest.json"
    if not manifest_path.exists():
        return {}
    nodes = json.loads(manifest_path.read_text())["nodes"]
    keys: dict[str, list[str]] = {}
    for node in nodes.values():
        metadata = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or metadata.get("name") not in KEY_TESTS or node["config"].get("where"):
            continue
        model = nodes.get(node.get("attached_node") or "")
        if model is None:
            continue
        kwargs = metadata.get("kwargs") or {}
        columns = [kwargs["column_name"]] if "column_name" in kwargs else list(kwargs.get("columns") or [])
        name = f"{model['schema']}.{model.get('alias') or model['name']}"
        if columns and (name not in keys or len(columns) < len(keys[name])):
            keys[name] = [str(column) for column in columns]
    return keys


def common_columns_sql(catalog: str, name: str, before: dict[str, str], after: dict[str, str]) -> str:
    """A select of the columns both versions of a table have (as text where their types differ)."""
    schema, table = name.split(".", 1)
    columns = ", ".join(quote(c) if before[c] == after[c] else f"cast({quote(c)} as varchar) as {quote(c)}"
                        for c in after if c in before)
    return f"select {columns or '1 as no_columns'} from {catalog}.{quote(schema)}.{quote(table)}"


def compare_table(connection: duckdb.DuckDBPyConnection, name: str, before: dict[str, str], after: dict[str, str],
                  key: list[str]) -> TableChange:
    """Rows added, removed and changed (same key, other values) of one table, on the columns both have."""
    base_rows, change_rows = (common_columns_sql(catalog, name, before, after) for catalog in SIDES)
    connection.execute(f"create or replace temp table removed_rows as {base_rows} except all {change_rows}")
    connection.execute(f"create or replace temp table added_rows as {change_rows} except all {base_rows}")
    usable_key = key if key and all(column in before and column in after for column in key) else []
    key_sql = ", ".join(quote(column) for column in usable_key)
    changed_sql = (f"(select count(*) from (select {key_sql} from removed_rows intersect select {key_sql} from added_rows))"
                   if usable_key else "null")
    schema, table = (quote(part) for part in name.split(".", 1))
    counts = connection.execute(
        f"select (select count(*) from base.{schema}.{table}), (select count(*) from change.{schema}.{table}), "
        f"(select count(*) from removed_rows), (select count(*) from added_rows), {changed_sql}").fetchone()
    assert counts is not None
    rows_before, rows_after, removed, added, changed = counts
    changed = int(changed) if changed is not None else None
    return TableChange(
        table=name, rows_before=int(rows_before), rows_after=int(rows_after),
        added=int(added) - (changed or 0), removed=int(removed) - (changed or 0), changed=changed, key=usable_key,
        columns_added=[column for column in after if column not in before],
        columns_removed=[column for column in before if column not in after],
    )


def membership_sql(catalog: str, tables: dict[str, dict[str, str]]) -> str:
    """Every customer's segments in one catalog as (family, segment, customer_id)."""
    parts = []
    if "main.segment_memberships" in tables:
        parts.append(f"select segment_family as family, segment_name as segment, customer_id "
                     f"from {catalog}.main.segment_memberships")
    if "main.customer_lifecycle" in tables:
        parts.append(f"select 'lifecycle_stage' as family, lifecycle_stage as segment, customer_id "
                     f"from {catalog}.main.customer_lifecycle where lifecycle_stage is not null")
    if "main_activation.audience_members" in tables:
        parts.append(f"select 'audience ' || channel as family, audience_family || ': ' || audience_name as segment, "
                     f"customer_id from {catalog}.main_activation.audience_members")
    if not parts:
        return "select null::varchar as family, null::varchar as segment, null::varchar as customer_id where false"
    return " union all ".join(parts)


def revenue_sql(catalog: str) -> str:
    """Net revenue of valid orders in the REVENUE_WINDOW_DAYS days before as_of, per customer (int_orders'
    definition, counted as orders_last_365d counts them)."""
    return (f"select customer_id, sum(net_revenue) as net_revenue from {catalog}.main_intermediate.int_orders "
            f"where is_valid_order and days_since_order <= {REVENUE_WINDOW_DAYS} group by customer_id")


def compare_segments(connection: duckdb.DuckDBPyConnection, before: dict[str, dict[str, str]],
                     after: dict[str, dict[str, str]]) -> list[SegmentMove]:
    connection.execute(f"create or replace temp table members_before as select distinct * from ({membership_sql('base', before)})")
    connection.execute(f"create or replace temp table members_after as select distinct * from ({membership_sql('change', after)})")
    connection.execute(
        "create or replace temp table moves as select coalesce(b.family, a.family) as family, "
        "coalesce(b.segment, a.segment) as segment, coalesce(b.customer_id, a.customer_id) as customer_id, "
        "b.customer_id is not null as in_before, a.customer_id is not null as in_after "
        "from members_before as b full outer join members_after as a "
        "on b.family = a.family and b.segment = a.segment and b.customer_id = a.customer_id")
    # The after build's orders; a change that breaks int_orders falls back to the base's.
    try:
        connection.execute(f"create or replace temp table revenue_at_stake as {revenue_sql('change')}")
    except duckdb.Error:
        connection.execute(f"create or replace temp table revenue_at_stake as {revenue_sql('base')}")
    rows = connection.execute(
        "select m.family, m.segment, count(*) filter (where in_before), count(*) filter (where in_after), "
        "count(*) filter (where in_after and not in_before), count(*) filter (where in_before and not in_after), "
        "count(*) filter (where in_before and in_after), "
        "coalesce(sum(r.net_revenue) filter (where in_after and not in_before), 0), "
        "coalesce(sum(r.net_revenue) filter (where in_before and not in_after), 0), "
        "coalesce(list(m.customer_id order by m.customer_id) filter (where in_after and not in_before), []), "
        "coalesce(list(m.customer_id order by m.customer_id) filter (where in_before and not in_after), []) "
        "from moves as m left join revenue_at_stake as r on m.customer_id = r.customer_id "
        "group by 1, 2 order by 1, 2").fetchall()
    return [SegmentMove(str(f), str(s), int(b), int(a), int(e), int(lf), int(st), round(float(re), 2),
                        round(float(rl), 2), [str(c) for c in ec], [str(c) for c in lc])
            for f, s, b, a, e, lf, st, re, rl, ec, lc in rows]


def journey_counts(connection: duckdb.DuckDBPyConnection, before: dict[str, dict[str, str]],
                   after: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    def counts(catalog: str, tables: dict[str, dict[str, str]]) -> dict[tuple[str, str], int]:
        if "main.journey_queue" not in tables:
            return {}
        rows = connection.execute(f"select journey, status, count(*) from {catalog}.main.journey_queue "
                                  "where status in ('due', 'suppressed') group by 1, 2").fetchall()
        return {(str(j), str(s)): int(n) for j, s, n in rows}
    base_counts, change_counts = counts("base", before), counts("change", after)
    journeys = sorted({journey for journey, _ in base_counts} | {journey for journey, _ in change_counts})
    return [{"journey": journey,
             "due_before": base_counts.get((journey, "due"), 0), "due_after": change_counts.get((journey, "due"), 0),
             "suppressed_before": base_counts.get((journey, "suppressed"), 0),
             "suppressed_after": change_counts.get((journey, "suppressed"), 0)} for journey in journeys]


def deciding_values(connection: duckdb.DuckDBPyConnection, catalog: str, tables: dict[str, dict[str, str]],
                    customer_ids: list[str]) -> dict[str, dict[str, Any]]:
    """customer_id -> the deciding values of DECIDING_COLUMNS found in one catalog."""
    values: dict[str, dict[str, Any]] = {customer_id: {} for customer_id in customer_ids}
    if not customer_ids:
        return values
    for table, columns in DECIDING_COLUMNS.items():
        present = [column for column in columns if column in tables.get(f"main.{table}", {})]
        if not present:
            continue
        rows = connection.execute(
            f"select customer_id, {', '.join(quote(c) for c in present)} from {catalog}.main.{quote(table)} "
            "where customer_id in (select unnest(?::varchar[]))", [customer_ids]).fetchall()
        for row in rows:
            values[str(row[0])].update({column: json_value(value) for column, value in zip(present, row[1:], strict=True)})
    return values


def json_value(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, (int, bool, str)) or value is None:
        return value
    return str(value)


def membership_of(family: str, segment: str) -> tuple[str, str]:
    """The segment_memberships family and segment an audience is drawn from (itself for the others)."""
    if family.startswith("audience ") and ": " in segment:
        audience_family, audience_name = segment.split(": ", 1)
        return audience_family, audience_name
    return family, segment


def entered_because(connection: duckdb.DuckDBPyConnection, catalog: str, tables: dict[str, dict[str, str]],
                    family: str, segment: str, customer_ids: list[str]) -> dict[str, str]:
    """customer_id -> segment_memberships.entered_because of one segment (of an audience's segment)."""
    if "entered_because" not in tables.get("main.segment_memberships", {}):
        return {}
    family, segment = membership_of(family, segment)
    rows = connection.execute(
        f"select customer_id, entered_because from {catalog}.main.segment_memberships "
        "where segment_family = ? and segment_name = ? and customer_id in (select unnest(?::varchar[]))",
        [family, segment, customer_ids]).fetchall()
    return {str(customer_id): str(reason) for customer_id, reason in rows if reason is not None}


def sample_moves(connection: duckdb.DuckDBPyConnection, moved: list[SegmentMove], per_segment: int,
                 before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """Up to `per_segment` customers per moved segment (lowest ids, so a rerun shows the same ones)."""
    samples = []
    for segment in moved:
        rows = connection.execute(
            "select customer_id, in_after from moves where family = ? and segment = ? and in_before <> in_after "
            "order by customer_id limit ?", [segment.family, segment.segment, per_segment]).fetchall()
        customer_ids = [str(customer_id) for customer_id, _ in rows]
        facts_before = deciding_values(connection, "base", before, customer_ids)
        facts_after = deciding_values(connection, "change", after, customer_ids)
        because_before = entered_because(connection, "base", before, segment.family, segment.segment, customer_ids)
        because_after = entered_because(connection, "change", after, segment.family, segment.segment, customer_ids)
        for customer_id, in_after in rows:
            key = str(customer_id)
            samples.append({
                "family": segment.family, "segment": segment.segment, "customer_id": key,
                "moved": "entered" if in_after else "left",
                "entered_because_before": because_before.get(key), "entered_because_after": because_after.get(key),
                "values_before": facts_before[key], "values_after": facts_after[key],
            })
    return samples


def compare(base: Version, change: Version, per_segment: int) -> dict[str, Any]:
    """Everything the report holds that is read from the two scratch databases."""
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        for version in (base, change):
            connection.execute(f"attach {sql_literal(version.database)} as {version.label} (read_only)")
        before, after = tables_of(connection, "base"), tables_of(connection, "change")
        keys = table_keys(change.target_path)
        tables = [compare_table(connection, name, before[name], after[name], keys.get(name, []))
                  for name in sorted(before) if name in after]
        segments = compare_segments(connection, before, after)
        return {
            "segments": segments,
            "journeys": journey_counts(connection, before, after),
            "tables": tables,
            "tables_only_in_base": sorted(set(before) - set(after)),
            "tables_only_in_change": sorted(set(after) - set(before)),
            "samples": sample_moves(connection, [s for s in segments if s.moved], per_segment, before, after),
        }


# -- the report ------------------------------------------------------------------------------------

def money(value: float) -> str:
    return f"{value:,.2f}"


def describe_vars(build_vars: dict[str, Any]) -> str:
    shown = {key: value for key, value in build_vars.items() if key not in ("segments__as_of", "segments__raw_path")}
    return f"`{vars_yaml(shown)}`" if shown else "the project's"


def values_text(before: dict[str, Any], after: dict[str, Any], only_changed: bool) -> str:
    """The deciding values as `name=value`, `name=before → after` where they differ. With `only_changed`
    (entered_because says why already): those that differ and the SHOWN_VALUES."""
    parts = []
    for column in dict.fromkeys([*before, *after]):
        old, new = before.get(column), after.get(column)
        if old != new:
            parts.append(f"{column}={old} → {new}")
        elif not only_changed or column in SHOWN_VALUES:
            parts.append(f"{column}={old}")
    return "; ".join(parts)


def markdown(report: Report) -> str:
    if report.is_empty():
        return no_change_line(report)
    lines = [f"## Change impact at as_of {report.as_of or 'derived from the data'}", "",
             f"- before: {report.base}, vars {describe_vars(report.base_vars)}",
             f"- after: {report.change}, vars {describe_vars(report.change_vars)}"]
    lines += [f"- {note}" for note in report.notes]
    moved = report.moved_segments()
    lines += ["", f"### Segments: {len(moved)} of {len(report.segments)} move", ""]
    if moved:
        lines += ["| family | segment | before | after | entered | left | stayed | revenue entered | revenue left |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {s.family} | {s.segment} | {s.before} | {s.after} | {s.entered} | {s.left} | {s.stayed} | "
                  f"{money(s.revenue_entered)} | {money(s.revenue_left)} |" for s in moved]
        lines += ["", f"Revenue: net revenue of valid orders in the {REVENUE_WINDOW_DAYS} days before as_of of the "
                      "customers who entered or left."]
    journeys = report.changed_journeys()
    lines += ["", "### Journeys", ""]
    if journeys:
        lines += ["| journey | due before | due after | suppressed before | suppressed after |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {j['journey']} | {j['due_before']} | {j['due_after']} | {j['suppressed_before']} | "
                  f"{j['suppressed_after']} |" for j in journeys]
    else:
        lines.append(f"Due and suppressed counts unchanged in all {len(report.journeys)} journeys.")
    lines += models_section(report)
    lines += samples_section(report)
    return "\n".join(lines) + "\n"


def models_section(report: Report) -> list[str]:
    changed = report.changed_tables()
    unchanged = [table.table for table in report.tables if not table.is_changed]
    lines = ["", f"### Tables: {len(changed)} changed, {len(unchanged)} unchanged (every row compared)", ""]
    if changed:
        lines += ["| table | rows before | rows after | added | removed | changed | columns |", "|---|---:|---:|---:|---:|---:|---|"]
        for table in changed:
            columns = ", ".join([f"+{c}" for c in table.columns_added] + [f"-{c}" for c in table.columns_removed])
            changed_rows = "n/a (no key)" if table.changed is None else str(table.changed)
            lines.append(f"| {table.table} | {table.rows_before} | {table.rows_after} | {table.added} | "
                         f"{table.removed} | {changed_rows} | {columns} |")
    for label, names in (("Only before", report.tables_only_in_base), ("Only after", report.tables_only_in_change)):
        if names:
            lines += ["", f"{label}: {', '.join(names)}"]
    if unchanged:
        lines += ["", f"Unchanged: {', '.join(unchanged)}"]
    return lines


def samples_section(report: Report) -> list[str]:
    if not report.samples:
        return []
    lines = ["", "### Customers who moved", "",
             f"A sample per segment with what decided: entered_because before and after, and the values of "
             f"{', '.join(DECIDING_COLUMNS)}: those that changed and {', '.join(SHOWN_VALUES)} (all of them where "
             "there is no entered_because; the JSON has them all)."]
    current: tuple[str, str] | None = None
    for sample in report.samples:
        if (sample["family"], sample["segment"]) != current:
            current = (sample["family"], sample["segment"])
            lines += ["", f"**{sample['family']} / {sample['segment']}**", "",
                      "| customer | moved | entered_because before | entered_because after | values |", "|---|---|---|---|---|"]
        explained = bool(sample["entered_because_before"] or sample["entered_because_after"])
        values = values_text(sample["values_before"], sample["values_after"], only_changed=explained)
        lines.append(f"| {sample['customer_id']} | {sample['moved']} | {sample['entered_because_before'] or ''} | "
                     f"{sample['entered_because_after'] or ''} | {values} |")
    return lines


def no_change_line(report: Report) -> str:
    return (f"No change: {report.change} builds the same {len(report.tables)} tables as {report.base} at as_of "
            f"{report.as_of or 'derived from the data'}, row for row (segments, audiences and journeys included).\n")


def gate_failures(report: Report, share: float) -> list[SegmentMove]:
    return [segment for segment in report.moved_segments() if segment.share > share]


def write_report(report: Report, text: str, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    markdown_path, json_path = out_dir / f"{stamp}.md", out_dir / f"{stamp}.json"
    markdown_path.write_text(text)
    json_path.write_text(json.dumps(report.to_json(), indent=2, default=str) + "\n")
    return markdown_path, json_path


# -- the command -----------------------------------------------------------------------------------

def base_of(args: argparse.Namespace, served: Served, shared_vars: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    """(git ref, vars, description) of the base."""
    if args.base:
        return args.base, shared_vars, f"`{args.base}`"
    if served.snapshot_id is None:
        return "HEAD", shared_vars, "`HEAD` (nothing is served yet)"
    if served.git_commit is None:
        raise RuntimeError(f"the served snapshot {served.snapshot_id} records no git commit: pass BASE=<git ref>")
    base_vars = served.build_vars if served.build_vars is not None else shared_vars
    return served.git_commit, base_vars, f"the served snapshot {served.snapshot_id}'s build"


def history_digest(work_database: Path, relations: list[tuple[str, str]], as_of: datetime | None) -> str:
    """sha256 of the recorded history both builds read: rows and a hash of every row, per history table."""
    if not work_database.exists():
        return "none"
    where = f" where as_of <= {sql_literal(as_of)}" if as_of is not None else ""
    found: dict[str, Any] = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach {sql_literal(work_database)} as recorded (read_only)")
        present = {(str(s), str(t)) for s, t in connection.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'recorded'").fetchall()}
        for schema, table in relations:
            if (schema, table) in present:
                found[f"{schema}.{table}"] = [str(value) for value in connection.execute(
                    f"select count(*), sum(hash(t)) from recorded.{quote(schema)}.{quote(table)} as t{where}").fetchone() or ()]
    return hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()


def base_cache_key(repo: Path, commit: str, base_vars: dict[str, Any], history: str) -> str:
    """What a base build depends on: its commit (code, reference seeds, requirements), its vars (as_of
    included), the raw seeds it is given and the recorded history it reads."""
    raw = {seed.name: hashlib.sha256(seed.read_bytes()).hexdigest() for seed in sorted(repo.glob(RAW_SEED_GLOB))}
    text = json.dumps({"commit": commit, "vars": base_vars, "raw_seeds": raw, "history": history,
                       "format": BASE_CACHE_FORMAT}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def keep_in_cache(version: Version, cache_dir: Path, key: str) -> Path:
    """Move a base build into the cache (the one entry kept: a base changes with every served build)."""
    shutil.rmtree(cache_dir, ignore_errors=True)
    entry = cache_dir / key
    entry.mkdir(parents=True)
    cached = entry / version.database.name
    shutil.move(version.database, cached)
    return cached


def build_both(base: Version | None, change: Version, work_database: Path, as_of: datetime | None,
               one_at_a_time: bool) -> list[str]:
    """Build the change (and the base, unless it came from the cache), side by side; the history tables copied."""
    lock = threading.Lock()
    versions = [change] if base is None else [base, change]
    with ThreadPoolExecutor(max_workers=1 if one_at_a_time else len(versions)) as pool:
        futures = [pool.submit(build_version, version, work_database, as_of, lock) for version in versions]
        copied = [future.result() for future in futures]
    return copied[-1]


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    repo = args.repo.resolve()
    work_database = (args.database or dbt_door.work_database(repo)).resolve()
    shared_vars = parse_vars(args.vars)
    change_vars = {**shared_vars, **parse_vars(args.change_vars)}
    served = served_state(args.published_dir.resolve())
    as_of = served.as_of
    ref, base_vars, base_description = base_of(args, served, shared_vars)
    scratch = Path(tempfile.mkdtemp(prefix="segments-diff-"))
    base_dir = scratch / "base-checkout"
    cache_dir = repo / BASE_CACHE_DIR
    try:
        commit = git(["rev-parse", "--verify", f"{ref}^{{commit}}"], repo)
        change = Version("change", "the working tree", repo, Path(sys.executable).with_name("dbt"),
                         scratch / "change" / "change.duckdb", scratch / "change", pinned_vars(change_vars, as_of, repo))
        base = Version("base", f"{base_description} ({commit[:12]})", base_dir, Path(), scratch / "base" / "base.duckdb",
                       scratch / "base", pinned_vars(base_vars, as_of, repo))
        change.target_path.mkdir(parents=True)
        # The change's history models name the history tables; this dbt ls is also the build's parse.
        change.history = history_relations(change)
        key = base_cache_key(repo, commit, base.build_vars, history_digest(work_database, change.history, as_of))
        cached = cache_dir / key / base.database.name
        from_cache = cached.exists() and not args.no_cache
        at = replay.format_as_of(as_of) if as_of else "(derived from the data)"
        if from_cache:
            base.database, base.description = cached, f"{base.description}, built before (cached)"
            print(f"Building the working tree at as_of {at} into {scratch}; the base ({base.description}) "
                  f"is in {cached}", flush=True)
        else:
            add_worktree(repo, commit, base_dir)
            share_raw_data(repo, base_dir)
            base.dbt = dbt_for(base_dir, repo)
            print(f"Building the base ({base.description}) and the working tree at as_of {at} into {scratch}",
                  flush=True)
        copied = build_both(None if from_cache else base, change, work_database, as_of, args.one_at_a_time)
        if not from_cache:
            base.database = keep_in_cache(base, cache_dir, key)
        compare_started = time.monotonic()
        found = compare(base, change, sample_size(repo, change_vars))
        notes = [f"history read from a copy of {', '.join(copied)} (the work database, up to as_of)" if copied
                 else f"no recorded history in {work_database}: both builds start their history at as_of"]
        report = Report(
            as_of=replay.format_as_of(as_of) if as_of else None, base=base.description, change=change.description,
            base_vars=base.build_vars, change_vars=change.build_vars, notes=notes,
            seconds={"base_build": base.seconds, "change_build": change.seconds,
                     "compare": round(time.monotonic() - compare_started, 1),
                     "total": round(time.monotonic() - started, 1)},
            **found)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"make diff stopped: {error}", file=sys.stderr)
        return 1
    finally:
        remove_worktree(repo, base_dir)
        if args.keep_scratch:
            print(f"scratch databases kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    text = markdown(report)
    markdown_path, json_path = write_report(report, text, args.out_dir)
    print(text)
    builds = (f"the working tree {report.seconds['change_build']} s, the base cached" if from_cache else
              f"builds {report.seconds['base_build']} s and {report.seconds['change_build']} s side by side")
    print(f"Written: {markdown_path} and {json_path} ({report.seconds['total']} s: {builds}, "
          f"comparison {report.seconds['compare']} s)")
    if args.fail_above is not None:
        failures = gate_failures(report, args.fail_above)
        if failures:
            names = ", ".join(f"{s.family} / {s.segment} ({s.moved} of {s.before})" for s in failures)
            print(f"FAIL: entered plus left above {args.fail_above:.0%} of the members before in "
                  f"{len(failures)} segments: {names}", file=sys.stderr)
            return GATE_EXIT
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join((__doc__ or "").splitlines()[2:]))
    parser.add_argument("--base", help="git ref of the base (default: the commit and vars of the served build)")
    parser.add_argument("--vars", default="", help="vars of both builds (YAML, as DBT_VARS); with the default base, "
                                                   "the base keeps the vars its build recorded")
    parser.add_argument("--change-vars", default="", help="vars of the working tree's build only, over --vars (YAML)")
    parser.add_argument("--fail-above", type=float, metavar="SHARE",
                        help=f"exit {GATE_EXIT} when a segment's entered plus left exceed SHARE of its members before")
    parser.add_argument("--published-dir", type=Path, default=REPO_ROOT / "published")
    parser.add_argument("--database", type=Path,
                        help="the work database whose recorded history both builds read (read-only; default: "
                             "the profile's)")
    parser.add_argument("--out-dir", type=Path, default=REPO_ROOT / "diff", help="where the .md and .json go")
    parser.add_argument("--repo", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--one-at-a-time", action="store_true", help="build the two versions one after the other")
    parser.add_argument("--keep-scratch", action="store_true", help="keep the scratch databases (path printed)")
    parser.add_argument("--no-cache", action="store_true", help=f"build the base even when {BASE_CACHE_DIR} holds it")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
