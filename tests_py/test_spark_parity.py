"""The project on Apache Spark passes every model, seed and test on the demo, and gives the same
tables as DuckDB, row for row.

Marked `spark`: `make test-spark` runs it with .venv-spark (requirements-spark.txt, Java 17) on the
`spark` target (dbt-spark's `session` method, Spark in the dbt process); `make test-spark-cluster`
runs it on the `spark_cluster` target (SEGMENTS_SPARK_TARGET): a standalone cluster's Thrift
server that src/store_segments/bench/spark_cluster.py starts on loopback, with its warehouse in SEGMENTS_SPARK_DIR.
The default pytest run (`make test`) deselects them (pytest.ini). Both builds go to temporary places
(a DuckDB file, a Spark warehouse and metastore) and use the same vars: the defaults, except a
win-back sample floor of WINBACK_SAMPLE_FLOOR, because with the default floor of 1,000 every
emailable member of the demo's small segments is sampled and the hash order would decide nothing,
and a global holdout of GLOBAL_HOLDOUT_SHARE (default 0), so that both holdout paths (a journey's
share and the global one) run on both engines.

After the Spark build, a second dbt invocation reruns the incremental models on Spark over the
same data (insert_overwrite of their latest partitions, reading `{{ this }}` for the window and
the earlier copies of events): the tables compared afterwards must still equal DuckDB's full
build, so an incremental run on Spark is proven idempotent and its `{{ this }}` subqueries work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from store_segments.bench.engine_parity import BuiltModel, built_models, compare_model, read_duckdb_table, read_spark_table

pytestmark = pytest.mark.spark

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).with_name("dbt")
# The dbt target of the Spark side: `spark` (in process) or `spark_cluster` (a Thrift server).
SPARK_TARGET = os.environ.get("SEGMENTS_SPARK_TARGET", "spark")
WINBACK_SAMPLE_FLOOR = 20
GLOBAL_HOLDOUT_SHARE = 0.05
BUILD_VARS = json.dumps({
    "segments__winback_sample_min_contacts": WINBACK_SAMPLE_FLOOR, "segments__global_holdout_share": GLOBAL_HOLDOUT_SHARE,
})
# Compared one by one: the seeds, and everything under these model folders that Spark stores.
COMPARED_FOLDERS = (
    "models/marts", "models/activation", "models/audit", "models/intermediate", "models/staging", "seeds",
)


@dataclass(frozen=True)
class Build:
    """Where one engine's build of the demo went."""

    returncode: int
    output: str
    manifest: Path
    run_results: Path
    duckdb_path: Path | None = None
    spark_warehouse: Path | None = None
    # Spark only: the rerun of the incremental models on the built tables.
    rerun_returncode: int = 0
    rerun_output: str = ""
    rerun_results: Path | None = None


def _dbt(args: list[str], env: dict[str, str], label: str) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    result = subprocess.run([str(DBT), *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    # A number for the log, not an assertion.
    print(f"\n{label}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    return result


def _env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **extra,
    }
    env.pop("SEGMENTS_SPARK_FILE_FORMAT", None)  # parquet, which the comparison reads
    return env


@pytest.fixture(scope="module")
def duckdb_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Seeds and models on DuckDB (its tests run in `make test`)."""
    work = tmp_path_factory.mktemp("duckdb_build")
    database = work / "segments.duckdb"
    result = _dbt(
        [
            "build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
            "--vars", BUILD_VARS, "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
        ],
        _env(SEGMENTS_DUCKDB_PATH=str(database)),
        "dbt build on DuckDB (models only)",
    )
    return Build(
        returncode=result.returncode, output=result.stdout + result.stderr,
        manifest=work / "target" / "manifest.json", run_results=work / "target" / "run_results.json",
        duckdb_path=database,
    )


def _spark_dir(work: Path) -> Path:
    """Where the Spark side's warehouse and metastore are: the test's own folder for the in-process
    `spark` target; the folder the cluster was started with for any other target (the Thrift
    server, not dbt, decides where tables go, and the comparison reads its parquet files)."""
    if SPARK_TARGET == "spark":
        return work
    started_with = os.environ.get("SEGMENTS_SPARK_DIR")
    if not started_with:
        pytest.fail(
            f"target {SPARK_TARGET}: SEGMENTS_SPARK_DIR must name the cluster's folder "
            "(segments spark-cluster run sets it; make test-spark-cluster)"
        )
    return Path(started_with)


@pytest.fixture(scope="module")
def spark_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Everything on Spark: seeds, models, data tests and unit tests, in one dbt run (one JVM in
    process, or statements to the cluster's Thrift server)."""
    work = tmp_path_factory.mktemp("spark_build")
    result = _dbt(
        [
            "build", "--target", SPARK_TARGET, "--vars", BUILD_VARS,
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
        ],
        _env(SEGMENTS_SPARK_DIR=str(_spark_dir(work))),
        f"dbt build on Spark, target {SPARK_TARGET} (seeds, models, data tests, unit tests)",
    )
    rerun = None
    if result.returncode == 0:
        rerun = _dbt(
            [
                "run", "--target", SPARK_TARGET, "--vars", BUILD_VARS, "--select", "config.materialized:incremental",
                "--target-path", str(work / "target-rerun"), "--log-path", str(work / "logs"),
            ],
            _env(SEGMENTS_SPARK_DIR=str(_spark_dir(work))),
            f"dbt run on Spark, target {SPARK_TARGET}, of the incremental models (a second, incremental run)",
        )
    return Build(
        returncode=result.returncode, output=result.stdout + result.stderr,
        manifest=work / "target" / "manifest.json", run_results=work / "target" / "run_results.json",
        spark_warehouse=_spark_dir(work) / "spark-warehouse",
        rerun_returncode=rerun.returncode if rerun else -1,
        rerun_output=(rerun.stdout + rerun.stderr) if rerun else "",
        rerun_results=work / "target-rerun" / "run_results.json",
    )


def _failures(build: Build) -> str:
    lines = [line for line in build.output.splitlines() if "ERROR" in line or "FAIL" in line or "Error" in line]
    return "\n".join(lines[-40:]) or build.output[-4000:]


def test_spark_build_passes_every_model_seed_and_test(spark_build: Build) -> None:
    assert spark_build.returncode == 0, _failures(spark_build)
    results = json.loads(spark_build.run_results.read_text())["results"]
    statuses = {result["unique_id"]: result["status"] for result in results}
    # `warn` only for data tests of warn severity (the deliverability floors warn on DuckDB too);
    # exposures only document their readers, and saved queries only run where a semantic layer
    # server exports them, so dbt reports both as `no-op`.
    failed = {
        uid: status
        for uid, status in statuses.items()
        if status not in ("success", "pass")
        and not (status == "warn" and uid.startswith("test."))
        and not (status == "no-op" and uid.startswith(("exposure.", "saved_query.")))
    }
    assert not failed
    kinds = {uid.split(".")[0] for uid in statuses}
    assert {"seed", "model", "test", "unit_test"} <= kinds


def test_incremental_rerun_on_spark_passes(spark_build: Build) -> None:
    """The incremental models ran a second time, incrementally (their tables existed)."""
    assert spark_build.returncode == 0, "the Spark build failed"
    assert spark_build.rerun_returncode == 0, spark_build.rerun_output[-4000:]
    assert spark_build.rerun_results is not None
    results = json.loads(spark_build.rerun_results.read_text())["results"]
    rerun = {result["unique_id"].split(".")[-1] for result in results if result["status"] == "success"}
    assert {
        "base_email__events", "base_web__events", "checked_email__events", "checked_web__events",
        "int_email_events_flagged", "segment_history", "audience_history",
    } <= rerun


def test_duckdb_build_passes(duckdb_build: Build) -> None:
    assert duckdb_build.returncode == 0, _failures(duckdb_build)


def _model_files() -> list[str]:
    return sorted(
        path.stem
        for folder in COMPARED_FOLDERS
        for path in (REPO_ROOT / folder).rglob("*")
        if path.suffix in (".sql", ".py", ".csv")
    )


def _pair(duckdb_build: Build, spark_build: Build, name: str) -> tuple[BuiltModel, BuiltModel]:
    if duckdb_build.returncode or spark_build.returncode:
        pytest.fail("a build failed (see test_spark_build_passes_every_model_seed_and_test)")
    left = built_models(duckdb_build.manifest)
    right = built_models(spark_build.manifest)
    if name not in right:
        pytest.skip(f"{name} is disabled on Spark (a Python model, or built on one: DuckDB only)")
    if not right[name].is_stored:
        pytest.skip(f"{name} is a {right[name].materialized} on Spark: compared through the tables built on it")
    assert name in left and left[name].is_readable, f"{name} was built on Spark but not on DuckDB"
    return left[name], right[name]


@pytest.mark.parametrize("table", _model_files())
def test_table_agrees_row_for_row(duckdb_build: Build, spark_build: Build, table: str) -> None:
    left, right = _pair(duckdb_build, spark_build, table)
    assert duckdb_build.duckdb_path is not None and spark_build.spark_warehouse is not None
    with duckdb.connect(str(duckdb_build.duckdb_path), read_only=True) as connection:
        differences = compare_model(connection, left, spark_build.spark_warehouse, right)
    assert not differences, f"{table} differs between DuckDB and Spark:\n" + "\n".join(differences)


Rows = set[tuple[object, ...]]


def _exact_rows(duckdb_build: Build, spark_build: Build, model: str, columns: str) -> tuple[Rows, Rows]:
    left, right = _pair(duckdb_build, spark_build, model)
    assert duckdb_build.duckdb_path is not None and spark_build.spark_warehouse is not None
    with duckdb.connect(str(duckdb_build.duckdb_path), read_only=True) as connection:
        duck = read_duckdb_table(connection, left.schema, left.alias)
        spark = read_spark_table(connection, spark_build.spark_warehouse, right.schema, right.alias)
    wanted = [c.strip() for c in columns.split(",")]

    def project(columns_: tuple[str, ...], rows: tuple[tuple[object, ...], ...]) -> Rows:
        positions = [columns_.index(c) for c in wanted]
        return {tuple(row[p] for p in positions) for row in rows}

    return project(duck.columns, duck.rows), project(spark.columns, spark.rows)


def test_rfm_scores_agree_exactly(duckdb_build: Build, spark_build: Build) -> None:
    duck, spark = _exact_rows(
        duckdb_build, spark_build, "customer_rfm",
        "customer_id, r_score, f_score, m_score, rfm_cell, rfm_segment, rfm_group",
    )
    assert len(duck) > 1000 and duck == spark, sorted(duck ^ spark)[:10]


def test_winback_sample_agrees_exactly_and_is_drawn_by_the_hash(duckdb_build: Build, spark_build: Build) -> None:
    duck, spark = _exact_rows(
        duckdb_build, spark_build, "winback_test_audiences",
        "customer_id, segment_name, sample_hash, sample_rank, sample_size, is_in_test_sample",
    )
    assert duck == spark, sorted(duck ^ spark)[:10]
    # The floor is low enough that the shares decide: some emailable members are left out.
    sampled = {row for row in duck if row[5]}
    ranked = {row for row in duck if row[3] is not None}
    assert 0 < len(sampled) < len(ranked)


def test_journey_holdout_groups_agree_exactly(duckdb_build: Build, spark_build: Build) -> None:
    """The same customers are held out of the same journeys (and globally) on both engines, and the
    journey tables give them the same statuses."""
    duck, spark = _exact_rows(
        duckdb_build, spark_build, "int_journey_holdouts",
        "customer_id, journey, is_held_out, is_in_global_holdout, holdout_group",
    )
    assert duck == spark, sorted(duck ^ spark)[:10]
    held = {row for row in duck if row[2]}
    assert any(row[3] for row in held) and any(not row[3] for row in held), "both holdout paths are exercised"
    duck, spark = _exact_rows(
        duckdb_build, spark_build, "journey_queue", "customer_id, journey, trigger_key, status, reason, holdout_group",
    )
    assert duck == spark, sorted(duck ^ spark)[:10]
    assert any(row[3] == "holdout" for row in duck)


def test_the_parquet_export_runs_on_spark(duckdb_build: Build, spark_build: Build, tmp_path: Path) -> None:
    """segments publish --target spark (or spark_cluster): Spark writes the Parquet export (macro
    export_parquet; on the cluster its executor writes the files) with the same row counts as the
    DuckDB build's tables."""
    if duckdb_build.returncode or spark_build.returncode:
        pytest.fail("a build failed (see test_spark_build_passes_every_model_seed_and_test)")
    assert spark_build.spark_warehouse is not None and duckdb_build.duckdb_path is not None
    out = tmp_path / "published"
    result = subprocess.run(
        [sys.executable, "-m", "store_segments.cli", "publish", "--target", SPARK_TARGET,
         "--published-dir", str(out), "--vars", BUILD_VARS],
        cwd=REPO_ROOT, env=_env(SEGMENTS_SPARK_DIR=str(spark_build.spark_warehouse.parent)),
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (manifest_path,) = out.glob("*/manifest.json")
    manifest = json.loads(manifest_path.read_text())
    assert "customer_predictions" not in manifest["row_counts"]  # a Python model: DuckDB only
    models = built_models(duckdb_build.manifest)
    with duckdb.connect(str(duckdb_build.duckdb_path), read_only=True) as connection:
        for name in ("customer_facts", "customer_personas", "journey_queue", "customer_contacts", "staging_reconciliation"):
            model = models[name]
            (rows,) = connection.execute(f'select count(*) from "{model.schema}"."{model.alias}"').fetchone() or (0,)
            parquet = manifest_path.parent / name / "*.parquet"
            assert manifest["row_counts"][name] == rows > 0, name
            assert connection.execute(f"select count(*) from read_parquet('{parquet}')").fetchone() == (rows,), name
