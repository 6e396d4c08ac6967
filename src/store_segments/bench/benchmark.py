"""Benchmark the project on generated data: full build, one-day incremental build, floor and peer.

Run ``segments benchmark --scale L`` (S, M or L; or ``--customers N``). In one run it:

1. generates the data with store_segments/generators/generate_data.py (or reuses it: ``--data-dir``, default
   ``data/<scale>``), holding back the last day;
2. builds on ``raw_source: files`` into a fresh DuckDB file, as ``dbt run`` then ``dbt test``
   (models, then data tests; unit tests do not depend on the data), measuring wall time and the
   peak RSS of the dbt process tree (sampled from /proc) and how much DuckDB spilled to disk (the
   size of its spill folder, sampled), reads each model's seconds from run_results.json and counts
   the rows of each model's table after the run, and measures the DuckDB file (with its .wal);
3. appends the held-back day and builds again, incrementally (the nightly build), measured the same way;
4. runs the floor (store_segments/bench/floor.py: one hand-written DuckDB script from the same Parquet to the
   core columns of customer_facts) on the delivered data and checks, customer by customer, that
   it gives the numbers the incremental build's customer_facts holds; and times the peer,
   lifetimes' ``summary_data_from_transaction_data`` on the same valid orders, against the
   customer-facts path (the order rollup int_customer_orders, then int_customer_facts and
   customer_facts), whose compiled SQL runs alone after the full build as the peer runs alone;
5. publishes the full build as `make build` does (store_segments/runtime/publish.py: a DuckDB snapshot and its
   Parquet copy), measuring its time and sizes;
6. prints a table of the figures (the work file against the raw Parquet it was built from among
   them) and a per-model table, slowest in the nightly build first, and writes them as JSON and
   Markdown to ``target/benchmark/``.

``--custom-segments FILE`` builds with the custom segments of a YAML file holding a
``custom_segments:`` list (src/store_segments/bench/benchmark_custom_segments.yml: twenty that use every kind of
condition) instead of the project's, and the table gives the custom-segment models' summed model
time (run_results.json) against all models' summed time, in the full and the incremental build.

The vars, DuckDB's settings and the as_of come from dbt (store_segments/dbt_door.py: one session on
the benchmark's database, its vars those of the builds), and the first day the incremental build
reprocesses from the macro that decides it (incremental_reprocess_from).

It is a script that prints numbers, not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import duckdb
import yaml

from store_segments.bench import floor, model_alone
from store_segments.generators import generate_data
from store_segments.runtime import publish
from store_segments.dbt_door import REPO_ROOT, DbtSession, ProjectSettings, set_environment
from store_segments.bench.floor import Agreement, Timed

DBT = Path(sys.executable).with_name("dbt")
RAW_SEEDS = ("raw_customers", "raw_products", "raw_orders", "raw_order_items", "raw_email_messages",
             "raw_email_events", "raw_web_events")
VALID_STATUSES = ("placed", "fulfilled", "shipped", "delivered", "refunded")
# The customer-facts path the peer is compared with: the order rollup, the facts, their typing.
FACTS_PATH = ("int_customer_orders", "int_customer_facts", "customer_facts")
# Where the custom segments come from without --custom-segments.
PROJECT_SEGMENTS = "the project's vars"


@dataclass
class ModelRun:
    """One model in one build: how dbt materialized it, its seconds (run_results.json) and the rows
    its relation holds after the build (None when not counted: a view, or no table of that name)."""

    name: str
    materialization: str
    seconds: float
    rows: int | None = None


@dataclass
class Build:
    """One measured build: `dbt run` (models) then `dbt test` (data tests), as `dbt build` would."""

    wall_seconds: float
    peak_rss_mb: float
    # Every model of the run, in run_results.json's order.
    models: list[ModelRun] = field(default_factory=list)
    run_seconds: float = 0.0
    test_seconds: float = 0.0
    cpu_seconds: float = 0.0
    slowest_tests: list[tuple[str, float]] = field(default_factory=list)
    # CPU time the hypervisor gave other guests while this one wanted it (all cores): on a
    # shared virtual machine it, not the load average, is what makes two runs' wall times differ.
    steal_seconds: float = 0.0
    # The most DuckDB held in its spill folder (<database>.tmp) at once: what did not fit under
    # the profile's memory_limit, written to disk and read back.
    peak_spill_mb: float = 0.0
    # Model seconds summed by layer and kind (model_seconds_by_layer): where the time goes.
    seconds_by_layer: dict[str, float] = field(default_factory=dict)
    # The seconds of the custom-segment models (models/*/custom_segments/), summed.
    custom_segment_seconds: float = 0.0
    # The work database after the build: the DuckDB file and its write-ahead log, not the spill folder.
    work_file_mb: float = 0.0

    @property
    def model_seconds(self) -> float:
        """Every model's seconds summed (over dbt's threads, so more than the wall time)."""
        return sum(model.seconds for model in self.models)

    @property
    def customer_facts_seconds(self) -> float:
        """The facts are computed in int_customer_facts; customer_facts types them under its contract."""
        return sum(model.seconds for model in self.models if model.name in ("int_customer_facts", "customer_facts"))


@dataclass
class Publish:
    """The publish of the full build: wall and CPU time, the snapshot's sizes."""

    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    tables: int = 0
    duckdb_mb: float = 0.0
    parquet_mb: float = 0.0


def ratio(numerator: float, denominator: float) -> float:
    return numerator / max(denominator, 1e-9)


@dataclass
class Report:
    """Everything the benchmark measured, and under which conditions."""

    scale: str
    customers: int
    rows: dict[str, int]
    conditions: dict[str, str]
    generate_seconds: float | None
    full_build: Build
    incremental_build: Build
    floor: Timed
    peer: Timed
    peer_customers: int
    # The floor's table against the incremental build's customer_facts (the same data).
    agreement: Agreement = field(default_factory=Agreement)
    # The compiled SQL of int_customer_orders and of int_customer_facts + customer_facts, run
    # after the full build with nothing else running: in the build, dbt runs two models at a
    # time, so a model's time there depends on what shares the two cores with it.
    order_rollup_alone: Timed = field(default_factory=lambda: Timed(0.0, 0.0))
    customer_facts_alone: Timed = field(default_factory=lambda: Timed(0.0, 0.0))
    published: Publish = field(default_factory=Publish)
    # How many custom segments the builds compiled, and from where (--custom-segments or the project).
    custom_segments: int = 0
    custom_segments_from: str = PROJECT_SEGMENTS
    # The raw Parquet the nightly build read (the generated parts, the delivered day included).
    raw_parquet_mb: float = 0.0

    @property
    def floor_ratio(self) -> Timed:
        """Full build (models + data tests) / floor, wall and CPU."""
        return Timed(ratio(self.full_build.wall_seconds, self.floor.wall_seconds),
                     ratio(self.full_build.cpu_seconds, self.floor.cpu_seconds))

    @property
    def incremental_share(self) -> Timed:
        """One-day incremental build / full build, wall and CPU."""
        return Timed(ratio(self.incremental_build.wall_seconds, self.full_build.wall_seconds),
                     ratio(self.incremental_build.cpu_seconds, self.full_build.cpu_seconds))

    @property
    def work_file_ratio(self) -> float:
        """The work DuckDB file after the full and the nightly build / the raw Parquet it was built from."""
        return ratio(self.incremental_build.work_file_mb, self.raw_parquet_mb)

    @property
    def peer_ratio(self) -> Timed:
        """The peer against customer_facts with the order rollup it reads: both compute
        frequency, recency and monetary value from the staged orders. Wall and CPU."""
        path = (self.order_rollup_alone.wall_seconds + self.customer_facts_alone.wall_seconds,
                self.order_rollup_alone.cpu_seconds + self.customer_facts_alone.cpu_seconds)
        return Timed(ratio(self.peer.wall_seconds, path[0]), ratio(self.peer.cpu_seconds, path[1]))

    @property
    def peer_ratio_model_only(self) -> Timed:
        return Timed(ratio(self.peer.wall_seconds, self.customer_facts_alone.wall_seconds),
                     ratio(self.peer.cpu_seconds, self.customer_facts_alone.cpu_seconds))


# ------------------------------------------------------------------------------------------
# Measuring a process tree
# ------------------------------------------------------------------------------------------


def tree_rss_kb(pid: int) -> int:
    """Resident memory (kB) of a process and all its descendants, from /proc."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending.extend(int(child) for child in children)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def stolen_cpu_seconds() -> float:
    """The machine's CPU steal time since boot (all cores), from the `cpu` line of /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0


def folder_size_mb(folder: Path) -> float:
    """The size of the files below `folder` in MB, 0 when it does not exist. DuckDB creates and
    deletes its spill folder and files while this reads them: os.walk skips a folder that is gone,
    and a file that is gone counts as empty, so the sampler never fails on a race."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total / 2**20


@dataclass
class Measured:
    """One measured command. CPU seconds (user + system of the process and its waited-for
    children) do not grow with the machine's load the way wall time does, so they compare runs
    on a shared machine."""

    wall_seconds: float
    peak_rss_mb: float
    cpu_seconds: float
    peak_spill_mb: float = 0.0


def run_measured(command: list[str], env: dict[str, str], log: Path, spill_dir: Path | None = None) -> Measured:
    """Run `command`, sampling the RSS of its process tree and the size of `spill_dir` every 0.2 s."""
    peak = 0
    peak_spill = 0.0
    started = time.monotonic()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_spill
            while not done.is_set():
                peak = max(peak, tree_rss_kb(process.pid))
                try:
                    if spill_dir is not None:
                        peak_spill = max(peak_spill, folder_size_mb(spill_dir))
                except OSError:
                    pass  # one failed sample (a file system race) must not end the sampling
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        returncode = process.wait()
        done.set()
        sampler.join()
    wall = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    if returncode != 0:
        raise SystemExit(f"{' '.join(command[:2])} failed (exit {returncode}); see {log}")
    return Measured(wall_seconds=wall, peak_rss_mb=peak / 1024, cpu_seconds=cpu, peak_spill_mb=peak_spill)


# ------------------------------------------------------------------------------------------
# The steps
# ------------------------------------------------------------------------------------------


def dbt_env(work: Path) -> dict[str, str]:
    """The environment of a dbt command on the benchmark's own DuckDB file."""
    return {**os.environ, "SEGMENTS_DUCKDB_PATH": str(work / "segments.duckdb"), "DBT_PROFILES_DIR": str(REPO_ROOT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def file_vars(data_dir: Path) -> dict[str, str]:
    """The vars that point staging at the generated Parquet parts."""
    return {"segments__raw_source": "files", "segments__raw_path": str(data_dir.resolve()), "segments__raw_file_pattern": "{table}/*.parquet"}


def dbt_build(data_dir: Path, work: Path, name: str, data_tests_since: str | None = None,
              extra_vars: dict[str, Any] | None = None) -> Build:
    """`dbt run` then `dbt test` (data tests) on the generated files, each measured; together they
    do what one `dbt build` does, and the split shows what the tests cost. `extra_vars` (e.g.
    custom_segments) are passed to both."""
    env = dbt_env(work)
    variables = {**file_vars(data_dir), "segments__data_tests_since": data_tests_since, **(extra_vars or {})}
    target = work / f"target-{name}"
    steal_before = stolen_cpu_seconds()
    common = ["--exclude", *RAW_SEEDS, "--vars", json.dumps(variables), "--target-path", str(target),
              "--log-path", str(work / "logs")]
    # DuckDB's default spill folder for a database file.
    spill_dir = work / "segments.duckdb.tmp"
    # `seed` loads the reference maps only (the demo's raw seeds are excluded).
    run = run_measured([str(DBT), "build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
                        *common], env, work / f"dbt-{name}-run.log", spill_dir)
    results = json.loads((target / "run_results.json").read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())
    # Counted between the two commands, while no dbt process holds the database.
    models = model_runs(results, manifest, work / "segments.duckdb")
    test = run_measured([str(DBT), "test", "--exclude-resource-type", "unit_test", *common],
                        env, work / f"dbt-{name}-test.log", spill_dir)
    layers = model_seconds_by_layer(results, manifest)
    tests = slowest(json.loads((target / "run_results.json").read_text())["results"], "test.")
    return Build(wall_seconds=run.wall_seconds + test.wall_seconds, peak_rss_mb=max(run.peak_rss_mb, test.peak_rss_mb),
                 models=models, run_seconds=run.wall_seconds,
                 test_seconds=test.wall_seconds, cpu_seconds=run.cpu_seconds + test.cpu_seconds,
                 slowest_tests=tests[:5], steal_seconds=stolen_cpu_seconds() - steal_before,
                 peak_spill_mb=max(run.peak_spill_mb, test.peak_spill_mb), seconds_by_layer=layers,
                 custom_segment_seconds=custom_segment_model_seconds(results, manifest),
                 work_file_mb=work_file_mb(work / "segments.duckdb"))


def time_facts_path(work: Path, threads: int, memory_limit: str) -> tuple[Timed, Timed]:
    """Run the full build's compiled SQL of FACTS_PATH alone, in the built database, with the
    profile's DuckDB settings; return the wall and CPU time of the order rollup and of the facts
    (int_customer_facts computes them, customer_facts types them)."""
    alone = {result.name: result for result in
             model_alone.run_alone(work / "segments.duckdb", work / "target-full", FACTS_PATH, threads, memory_limit)}
    failed = [result.line() for result in alone.values() if result.error]
    if failed:
        raise SystemExit("\n".join(failed))
    facts = Timed(alone["int_customer_facts"].wall_seconds + alone["customer_facts"].wall_seconds,
                  alone["int_customer_facts"].cpu_seconds + alone["customer_facts"].cpu_seconds)
    rollup = alone["int_customer_orders"]
    return Timed(rollup.wall_seconds, rollup.cpu_seconds), facts


def slowest(results: list[dict[str, object]], prefix: str) -> list[tuple[str, float]]:
    """(name, seconds) of the run_results entries whose unique_id starts with `prefix`, slowest first."""
    timed = ((str(r["unique_id"]).split(".")[2], float(str(r["execution_time"]))) for r in results
             if str(r["unique_id"]).startswith(prefix))
    return sorted(timed, key=lambda item: -item[1])


def table_rows(database: Path, relations: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The rows of each (schema, name) that is a table in `database`, read-only; views and names
    that are not there are left out. DuckDB answers a table's count(*) from its row groups' counts
    and deletion marks, not the data (5M rows with 10% deleted: 10 ms); duckdb_tables()'
    estimated_size would be cheaper still but counts deleted rows, which incremental models have."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = set(connection.execute("select schema_name, table_name from duckdb_tables() "
                                        "where database_name = current_database()").fetchall())
        counts = {}
        for schema, name in relations:
            if (schema, name) in tables:
                counted = connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
                counts[(schema, name)] = int(cast(tuple[int], counted)[0])
        return counts


def model_runs(results: list[dict[str, object]], manifest: dict[str, Any], database: Path) -> list[ModelRun]:
    """The models of one run (run_results.json and its manifest.json): materialization, seconds, and
    the rows their tables hold in `database` now. Views are not counted: a count would run the view."""
    nodes = manifest["nodes"]
    models = [(node, float(str(result["execution_time"]))) for result in results
              if (node := nodes.get(str(result["unique_id"]))) is not None and node["resource_type"] == "model"]
    counted = table_rows(database, [(node["schema"], node["alias"]) for node, _ in models
                                    if node["config"]["materialized"] != "view"])
    return [ModelRun(name=node["name"], materialization=node["config"]["materialized"], seconds=seconds,
                     rows=counted.get((node["schema"], node["alias"]))) for node, seconds in models]


def work_file_mb(database: Path) -> float:
    """The size of a DuckDB database in MB: its file and its write-ahead log (not the spill folder)."""
    return sum(path.stat().st_size for path in (database, database.with_name(database.name + ".wal"))
               if path.exists()) / 2**20


def raw_parquet_mb(data_dir: Path) -> float:
    """The size in MB of the Parquet parts the builds read (`<data_dir>/<table>/*.parquet`); the
    held-back days waiting in `<data_dir>/next/` are not read, so not counted."""
    return sum(part.stat().st_size for part in data_dir.glob("*/*.parquet")) / 2**20


def model_seconds_by_layer(results: list[dict[str, object]], manifest: dict[str, Any]) -> dict[str, float]:
    """The models' seconds of one run summed by layer (the folder under models/: staging,
    intermediate, marts, audit) and by whether dbt built the model incrementally or rebuilt it,
    largest first. Summed over dbt's threads, so the total exceeds the wall time; it shows what an
    incremental build still rebuilds."""
    nodes = manifest["nodes"]
    totals: dict[str, float] = {}
    for result in results:
        node = nodes.get(str(result["unique_id"]))
        if node is None or node["resource_type"] != "model":
            continue
        layer = Path(node["original_file_path"]).parts[1]
        kind = "incremental" if node["config"]["materialized"] == "incremental" else "rebuilt"
        key = f"{layer}, {kind}"
        totals[key] = totals.get(key, 0.0) + float(str(result["execution_time"]))
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def custom_segment_model_seconds(results: list[dict[str, object]], manifest: dict[str, Any]) -> float:
    """The summed seconds of the models in a custom_segments folder (the activity aggregates, the
    profiles and the members): what the store's own segments cost."""
    nodes = manifest["nodes"]
    return sum(float(str(result["execution_time"])) for result in results
               if (node := nodes.get(str(result["unique_id"]))) is not None and node["resource_type"] == "model"
               and "custom_segments" in Path(node["original_file_path"]).parts)


def load_custom_segments(path: Path) -> dict[str, Any]:
    """The vars of a --custom-segments file: its `custom_segments:` list, checked to be one."""
    loaded = yaml.safe_load(path.read_text())
    if not isinstance(loaded, dict) or not isinstance(loaded.get("segments__custom_segments"), list):
        raise SystemExit(f"{path}: expected a YAML mapping with a segments__custom_segments: list (docs/custom_segments.md)")
    return {"segments__custom_segments": loaded["segments__custom_segments"]}


def publish_full_build(work: Path, as_of: datetime, resolved_vars: dict[str, Any]) -> Publish:
    """Publish the work database into `<work>/published`, as `make build` ends (with the build's
    as_of and vars as dbt resolved them, as there)."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    snapshot = publish.publish(work / "segments.duckdb", work / "published", keep=1,
                               resolved_vars=resolved_vars, as_of=as_of)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Publish(wall_seconds=wall, cpu_seconds=cpu, tables=len(snapshot.manifest["row_counts"]),
                   duckdb_mb=publish.size_of(snapshot.database) / 1e6,
                   parquet_mb=publish.size_of(snapshot.parquet_dir) / 1e6)


def benchmark_session(work: Path, variables: dict[str, Any]) -> DbtSession:
    """One dbt session on the benchmark's database with the builds' vars: what the benchmark asks
    dbt (settings, as_of, the incremental rule). Its own target folder, so the measured builds'
    partial parse stays theirs."""
    set_environment(work / "segments.duckdb")
    return DbtSession(REPO_ROOT, ("--target-path", str(work / "target-session"), "--log-path", str(work / "logs")),
                      variables)


def first_reprocessed_day(session: DbtSession, delivered: list[str]) -> str | None:
    """The first day an incremental build reprocesses after `delivered` days arrived: what its
    event tests need to check (var segments__data_tests_since). The latest day already built is the day
    before the first delivered one; which day the build reprocesses from is the rule of
    macros/incremental.sql (incremental_reprocess_from), asked of dbt with the session's vars.
    The session lets go of the database after, for the build that follows."""
    if not delivered:
        return None
    latest_built = (date.fromisoformat(delivered[0]) - timedelta(days=1)).isoformat()
    value = session.query_value(
        f"select {{{{ incremental_reprocess_from(\"cast('{latest_built}' as date)\") }}}} as first_day")
    session.release_database()
    first = value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])
    return first.isoformat()


def orders_glob(data_dir: Path) -> str:
    return f"{data_dir.resolve()}/orders/*.parquet"


def run_floor(data_dir: Path, work: Path, settings: ProjectSettings) -> tuple[Timed, Agreement]:
    """The floor (store_segments/bench/floor.py) from the Parquet into `<work>/floor.duckdb`, with the vars and
    DuckDB settings dbt resolves, timed, then compared with the customer_facts the last build left
    in `<work>/segments.duckdb`."""
    floor_database = work / "floor.duckdb"
    timed = floor.run_floor(floor.parquet_tables(data_dir), floor_database, settings)
    return timed, floor.compare(floor_database, work / "segments.duckdb")


def peer_summary(data_dir: Path) -> tuple[Timed, int]:
    """lifetimes' summary_data_from_transaction_data (frequency, recency, T, monetary) on the same
    valid orders; loading them into pandas is not timed."""
    from lifetimes.utils import summary_data_from_transaction_data  # type: ignore[import-untyped]

    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'; set enable_progress_bar = false")
    statuses = ", ".join(f"'{status}'" for status in VALID_STATUSES)
    orders = connection.execute(
        f"""
        select
            trim(customer_id) as customer_id,
            cast(try_cast(ordered_at as timestamptz) as timestamp) as ordered_at,
            cast(greatest(try_cast(total as decimal(18, 2))
                - coalesce(try_cast(nullif(trim(refunded_amount), '') as decimal(18, 2)), 0), 0) as double)
                as net_revenue
        from read_parquet('{orders_glob(data_dir)}')
        where lower(trim(status)) in ({statuses}) and try_cast(ordered_at as timestamptz) is not null
            and try_cast(total as decimal(18, 2)) >= 0
        """
    ).df()
    connection.close()
    end = orders["ordered_at"].max()
    started, cpu_started = time.monotonic(), time.process_time()
    summary = summary_data_from_transaction_data(
        orders, "customer_id", "ordered_at", monetary_value_col="net_revenue", observation_period_end=end, freq="D"
    )
    return Timed(time.monotonic() - started, time.process_time() - cpu_started), len(summary)


def ensure_data(data_dir: Path, customers: int) -> tuple[float | None, dict[str, int]]:
    """Generate the data (last day held back) unless it is there; put the held-back day back."""
    marker = data_dir / "generated.json"
    if marker.exists() and json.loads(marker.read_text()).get("customers") == customers:
        generate_data.withhold_delivered_days(data_dir)
        return None, dict(json.loads(marker.read_text())["rows"])
    started = time.monotonic()
    rows = generate_data.generate(generate_data.Settings(customers=customers, out=data_dir, hold_back_days=1))
    elapsed = time.monotonic() - started
    marker.write_text(json.dumps({"customers": customers, "rows": rows}))
    return elapsed, rows


def conditions(settings: ProjectSettings) -> dict[str, str]:
    """The machine, the versions, and the profile's threads and memory cap as dbt resolves them."""
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    return {
        "cpus": str(os.cpu_count()),
        "memory": next(line.split(":", 1)[1].strip() for line in meminfo if line.startswith("MemTotal")),
        "load_average_at_start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
        "duckdb_threads": str(settings.duckdb_threads),
        "duckdb_memory_limit": settings.duckdb_memory_limit,
        "dbt_threads": str(settings.threads),
    }


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------


def seconds(timed: Timed | Build, places: int = 1) -> str:
    """Wall and CPU seconds (user + system) of one measure."""
    return f"{timed.wall_seconds:.{places}f} s wall, {timed.cpu_seconds:.{places}f} s CPU"


def times(timed: Timed) -> str:
    """A ratio of wall times and the ratio of the same CPU times."""
    return f"{timed.wall_seconds:.1f}x wall, {timed.cpu_seconds:.1f}x CPU"


def custom_share(build: Build) -> str:
    """The custom-segment models' summed seconds against all models' summed seconds."""
    return (f"{build.custom_segment_seconds:.1f} s of {build.model_seconds:.1f} s "
            f"({100 * ratio(build.custom_segment_seconds, build.model_seconds):.1f}%)")


@dataclass
class ModelRow:
    """One model in the full and the nightly build: a line of the report's per-model table. None:
    the model was not in that build."""

    model: str
    materialization: str
    full_seconds: float | None
    full_rows: int | None
    nightly_seconds: float | None
    nightly_rows: int | None

    @property
    def nightly_share(self) -> float | None:
        """The nightly build's seconds / the full build's, None when either is missing or zero."""
        if self.full_seconds is None or self.nightly_seconds is None or self.full_seconds <= 0:
            return None
        return self.nightly_seconds / self.full_seconds


def model_table(full: Build, nightly: Build) -> list[ModelRow]:
    """Every model of either build, slowest in the nightly build first (then by name): where a
    night goes, beside what the same model cost in the full build."""
    full_runs = {model.name: model for model in full.models}
    nightly_runs = {model.name: model for model in nightly.models}
    rows = []
    for name in {**full_runs, **nightly_runs}:
        before, after = full_runs.get(name), nightly_runs.get(name)
        rows.append(ModelRow(
            model=name, materialization=cast(ModelRun, after or before).materialization,
            full_seconds=before.seconds if before else None, full_rows=before.rows if before else None,
            nightly_seconds=after.seconds if after else None, nightly_rows=after.rows if after else None))
    return sorted(rows, key=lambda row: (row.nightly_seconds is None, -(row.nightly_seconds or 0.0), row.model))


def rows_cell(rows: int | None, materialization: str) -> str:
    if rows is not None:
        return f"{rows:,}"
    return "view" if materialization == "view" else "–"


def seconds_cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def format_model_table(rows: list[ModelRow]) -> list[str]:
    """The per-model table in Markdown: seconds from run_results.json (each model's own, while
    another may share the cores), rows its relation held after that build."""
    lines = ["| model | materialization | full s | full rows | nightly s | nightly rows | nightly/full |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        share = "–" if row.nightly_share is None else f"{100 * row.nightly_share:.0f}%"
        lines.append(f"| {row.model} | {row.materialization} | {seconds_cell(row.full_seconds)} "
                     f"| {rows_cell(row.full_rows, row.materialization)} | {seconds_cell(row.nightly_seconds)} "
                     f"| {rows_cell(row.nightly_rows, row.materialization)} | {share} |")
    return lines


def size(mb: float) -> str:
    """A size in MB, or in GB from 1 GB on."""
    return f"{mb / 1024:,.2f} GB" if mb >= 1024 else f"{mb:,.1f} MB"


def format_report(report: Report) -> str:
    full, incremental = report.full_build, report.incremental_build
    lines = [
        f"Benchmark at scale {report.scale}: {report.customers:,} customers, "
        + ", ".join(f"{table} {count:,}" for table, count in report.rows.items()),
        "Conditions: " + ", ".join(f"{key} {value}" for key, value in report.conditions.items()),
        "",
        "| measure | value | target |",
        "|---|---|---|",
    ]
    if report.generate_seconds is not None:
        lines.append(f"| generate the data | {report.generate_seconds:.0f} s | minutes |")
    floor_ratio, share = report.floor_ratio, report.incremental_share
    peer_ratio, peer_model_only = report.peer_ratio, report.peer_ratio_model_only
    lines += [
        f"| full dbt build (models + data tests) | {seconds(full)} "
        f"(run {full.run_seconds:.1f} s + test {full.test_seconds:.1f} s) | |",
        f"| floor: store_segments/bench/floor.py, raw Parquet to customer_facts' core columns | {seconds(report.floor)} | |",
        f"| full build / floor | {times(floor_ratio)} | <= 4x (goal 2.5x) |",
        f"| floor against customer_facts, customer by customer | {report.agreement.summary()} | no mismatch |",
        f"| CPU time stolen by the hypervisor during the full build | {full.steal_seconds:.0f} s | |",
        f"| peak RSS of the dbt process tree, full build | {full.peak_rss_mb / 1024:.2f} GB | <= 6 GB |",
        f"| peak DuckDB spill to disk, full build | {full.peak_spill_mb / 1024:.2f} GB | |",
        f"| one-day incremental dbt build | {seconds(incremental)} "
        f"(run {incremental.run_seconds:.1f} s + test {incremental.test_seconds:.1f} s) | |",
        f"| incremental / full | {100 * share.wall_seconds:.0f}% wall, {100 * share.cpu_seconds:.0f}% CPU "
        "| <= 25% |",
        f"| one-day incremental models only (dbt run) | {incremental.run_seconds:.1f} s "
        f"({100 * ratio(incremental.run_seconds, full.run_seconds):.0f}% of the full run) | |",
        f"| CPU time stolen by the hypervisor during the incremental build | {incremental.steal_seconds:.0f} s | |",
        f"| peak RSS, incremental build | {incremental.peak_rss_mb / 1024:.2f} GB | <= 6 GB |",
        f"| peak DuckDB spill to disk, incremental build | {incremental.peak_spill_mb / 1024:.2f} GB | |",
        f"| raw Parquet the builds read | {size(report.raw_parquet_mb)} | |",
        f"| work DuckDB file (.duckdb + .wal), after the full / incremental build | {size(full.work_file_mb)} / "
        f"{size(incremental.work_file_mb)} | |",
        f"| work file after both builds / raw Parquet | {report.work_file_ratio:.1f}x | <= 8x |",
        f"| customer_facts model, in the full build (sharing the cores) | {full.customer_facts_seconds:.2f} s | |",
        f"| customer_facts model, alone | {seconds(report.customer_facts_alone, 2)} | |",
        f"| its order rollup (int_customer_orders), alone | {seconds(report.order_rollup_alone, 2)} | |",
        f"| peer: lifetimes summary_data_from_transaction_data ({report.peer_customers:,} customers) "
        f"| {seconds(report.peer)} | |",
        f"| peer / (order rollup + customer_facts) | {times(peer_ratio)} | >= 10x |",
        f"| peer / customer_facts | {times(peer_model_only)} | |",
        f"| publish the full build ({report.published.tables} tables) | {report.published.wall_seconds:.1f} s "
        f"(CPU {report.published.cpu_seconds:.0f} s) | |",
        f"| published snapshot: DuckDB / Parquet | {report.published.duckdb_mb:,.0f} MB / "
        f"{report.published.parquet_mb:,.0f} MB | |",
        "",
        f"custom-segment models' summed time ({report.custom_segments} segments from "
        f"{report.custom_segments_from}), full build: {custom_share(full)}; incremental build: "
        f"{custom_share(incremental)} (target at L: <= 10% of the full build's)",
        "Model time by layer (summed over the dbt threads), full build: "
        + ", ".join(f"{layer} {seconds:.0f} s" for layer, seconds in full.seconds_by_layer.items()),
        "Model time by layer (summed over the dbt threads), incremental build: "
        + ", ".join(f"{layer} {seconds:.0f} s" for layer, seconds in incremental.seconds_by_layer.items()),
        "Slowest data tests, full build: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in full.slowest_tests),
        "Slowest data tests, incremental build: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in incremental.slowest_tests),
        "",
        "Per model, slowest in the incremental (nightly) build first:",
        "",
        *format_model_table(model_table(full, incremental)),
    ]
    return "\n".join(lines)


def payload(report: Report) -> dict[str, Any]:
    """The report as JSON: the measures, the ratios, and the per-model table once (not also per build)."""
    data = asdict(report)
    for build in ("full_build", "incremental_build"):
        del data[build]["models"]
        data[build]["model_seconds"] = getattr(report, build).model_seconds
        data[build]["customer_facts_seconds"] = getattr(report, build).customer_facts_seconds
    return {**data, "floor_ratio": asdict(report.floor_ratio),
            "incremental_share": asdict(report.incremental_share), "peer_ratio": asdict(report.peer_ratio),
            "peer_ratio_model_only": asdict(report.peer_ratio_model_only),
            "floor_mismatches": report.agreement.mismatches, "work_file_ratio": report.work_file_ratio,
            "models": [{**asdict(row), "nightly_share": row.nightly_share}
                       for row in model_table(report.full_build, report.incremental_build)]}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--scale", choices=sorted(generate_data.SCALES))
    size.add_argument("--customers", type=int)
    parser.add_argument("--data-dir", type=Path, help="generated data (default data/<scale>)")
    parser.add_argument("--work-dir", type=Path, help="DuckDB file, dbt targets and logs (default data/benchmark-<scale>)")
    parser.add_argument("--results-dir", type=Path, default=REPO_ROOT / "target" / "benchmark")
    parser.add_argument("--skip-peer", action="store_true", help="do not run lifetimes (slow at L)")
    parser.add_argument("--custom-segments", type=Path, metavar="FILE",
                        help="build with the segments__custom_segments: list of this YAML file instead of the project's "
                             "(e.g. src/store_segments/bench/benchmark_custom_segments.yml)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    customers = args.customers if args.customers is not None else generate_data.SCALES[args.scale]
    scale = args.scale or f"{customers}"
    data_dir = args.data_dir or REPO_ROOT / "data" / scale
    work = args.work_dir or REPO_ROOT / "data" / f"benchmark-{scale}"
    work.mkdir(parents=True, exist_ok=True)
    for stale in (work / "segments.duckdb", work / "segments.duckdb.wal"):
        stale.unlink(missing_ok=True)
    # dbt's partial parse keeps absolute paths: a target left by another checkout would load seeds
    # from there.
    for stale_target in work.glob("target-*"):
        shutil.rmtree(stale_target)
    custom_vars = load_custom_segments(args.custom_segments) if args.custom_segments else {}
    session = benchmark_session(work, {**file_vars(data_dir), **custom_vars})
    settings = session.settings
    measured_conditions = conditions(settings)
    segments = cast(list, settings.vars.get("segments__custom_segments") or [])
    generate_seconds, rows = ensure_data(data_dir, customers)
    print(f"data in {data_dir}; building into {work}", flush=True)
    full = dbt_build(data_dir, work, "full", extra_vars=custom_vars)
    print(f"full build {full.wall_seconds:.1f} s", flush=True)
    rollup_alone, facts_alone = time_facts_path(work, settings.duckdb_threads, settings.duckdb_memory_limit)
    as_of = session.as_of()
    session.release_database()
    published = publish_full_build(work, as_of, settings.vars)
    print(f"published in {published.wall_seconds:.1f} s", flush=True)
    delivered = generate_data.held_back_days(data_dir)
    for day in delivered:
        generate_data.deliver_day(data_dir, day)
    incremental = dbt_build(data_dir, work, "incremental", first_reprocessed_day(session, delivered), custom_vars)
    print(f"incremental build {incremental.wall_seconds:.1f} s", flush=True)
    # The floor reads the data the incremental build read, and is checked against its customer_facts.
    floor_timed, agreement = run_floor(data_dir, work, settings)
    print(f"floor {floor_timed.wall_seconds:.1f} s: {agreement.summary()}", flush=True)
    peer, peer_customers = (Timed(0.0, 0.0), 0) if args.skip_peer else peer_summary(data_dir)
    measured_conditions["load_average_at_end"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    report = Report(
        scale=scale, customers=customers, rows=rows, conditions=measured_conditions,
        generate_seconds=generate_seconds, full_build=full, incremental_build=incremental,
        floor=floor_timed, peer=peer, peer_customers=peer_customers, agreement=agreement,
        order_rollup_alone=rollup_alone, customer_facts_alone=facts_alone,
        published=published, custom_segments=len(segments),
        custom_segments_from=str(args.custom_segments) if args.custom_segments else PROJECT_SEGMENTS,
        raw_parquet_mb=raw_parquet_mb(data_dir),
    )
    text = format_report(report)
    print(text)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / f"benchmark-{scale}.json").write_text(json.dumps(payload(report), indent=2))
    (args.results_dir / f"benchmark-{scale}.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
