"""Tests of src/store_segments/generators/generate_data.py (the any-size Parquet generator) and src/store_segments/bench/benchmark.py's helpers."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

import duckdb
import pytest

from store_segments.bench import benchmark
from store_segments.generators import generate_data
from store_segments.bench.floor import Agreement, Timed

SPEC_COLUMNS: dict[str, list[str]] = {
    "customers": ["customer_id", "email", "first_name", "last_name", "country_code", "created_at",
                  "email_consent", "tracking_consent", "birth_date", "acquisition_source"],
    "products": ["product_id", "product_name", "category", "price", "replenishment_days"],
    "orders": ["order_id", "customer_id", "ordered_at", "status", "currency", "subtotal", "discount",
               "shipping", "total", "refunded_amount"],
    "order_items": ["order_id", "line_number", "product_id", "quantity", "unit_price"],
    "email_messages": ["message_id", "message_type", "campaign_or_flow_name", "flow_step", "ab_test_id",
                       "variant", "subject", "sent_at"],
    "email_events": ["event_id", "message_id", "customer_id", "event_type", "occurred_at", "bounce_type",
                     "user_agent", "is_machine_open"],
    "web_events": ["event_id", "session_id", "customer_id", "anonymous_id", "event_type", "product_id",
                   "occurred_at"],
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate_data.generate(generate_data.Settings(customers=3_000, out=out), log=False)
    return out


@pytest.fixture()
def db() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    return connection


def scalar(db: duckdb.DuckDBPyConnection, sql: str) -> float:
    return float(db.execute(sql).fetchall()[0][0])


def parts(out: Path, table: str) -> str:
    return f"read_parquet('{out}/{table}/*.parquet')"


@pytest.mark.parametrize("table", sorted(SPEC_COLUMNS))
def test_tables_have_the_spec_columns_as_text(generated: Path, db: duckdb.DuckDBPyConnection, table: str) -> None:
    columns = db.execute(f"describe select * from {parts(generated, table)}").fetchall()
    assert [c[0] for c in columns] == SPEC_COLUMNS[table]
    assert {c[1] for c in columns} == {"VARCHAR"}


def test_volumes_per_customer_match_the_l_targets(generated: Path, db: duckdb.DuckDBPyConnection) -> None:
    """L = 1M customers should give ~10M orders, ~50M email events, ~20M site events."""
    customers = scalar(db, f"select count(distinct customer_id) from {parts(generated, 'customers')}")
    for table, per_customer in (("orders", 10), ("email_events", 50), ("web_events", 20)):
        rows = scalar(db, f"select count(*) from {parts(generated, table)}")
        assert 0.6 * per_customer <= rows / customers <= 1.5 * per_customer, (table, rows / customers)


def test_most_buyers_buy_once_and_a_long_tail_buys_often(generated: Path, db: duckdb.DuckDBPyConnection) -> None:
    counts = dict(db.execute(
        f"select least(n, 3), count(*) from (select customer_id, count(*) as n from {parts(generated, 'orders')} "
        f"group by 1) group by 1"
    ).fetchall())
    assert counts[1] > counts[2] and counts[1] > 0.3 * sum(counts.values())
    assert scalar(db, f"select max(n) from (select count(*) as n from {parts(generated, 'orders')} group by customer_id)") >= 50


def test_about_half_of_opens_are_apple_mpp(generated: Path, db: duckdb.DuckDBPyConnection) -> None:
    share = scalar(db, f"""
        select avg(case when is_machine_open = 'true' or user_agent like '%Mail%' then 1 else 0 end)
        from {parts(generated, 'email_events')} where lower(event_type) = 'opened'""")
    assert 0.4 <= share <= 0.6


def test_orders_peak_in_the_holiday_season(generated: Path, db: duckdb.DuckDBPyConnection) -> None:
    per_month = dict(db.execute(f"""
        select strftime(try_cast(ordered_at as timestamptz), '%Y-%m'), count(*)
        from {parts(generated, 'orders')} group by 1""").fetchall())
    assert per_month["2025-12"] > 1.2 * per_month["2026-01"]


@pytest.mark.parametrize(
    ("table", "condition"),
    [
        ("customers", "customer_id in (select customer_id from {t} group by 1 having count(*) > 1)"),
        ("customers", "country_code <> upper(trim(country_code))"),
        ("customers", "try_cast(created_at as timestamptz) is null"),
        ("orders", "order_id in (select order_id from {t} group by 1 having count(*) > 1)"),
        ("orders", "status <> lower(trim(status))"),
        ("orders", "status = 'on_hold'"),
        ("orders", "customer_id like 'X%' or customer_id = ''"),
        ("orders", "total like '-%' or total = ''"),
        ("orders", "status in ('cancelled', 'refunded')"),
        ("orders", "ordered_at like '%+__:00' or ordered_at like '%-__:00'"),
        ("email_events", "event_id in (select event_id from {t} group by 1 having count(*) > 1)"),
        ("email_events", "event_type = 'forwarded'"),
        ("email_events", "event_type <> lower(event_type)"),
        ("email_events", "customer_id like 'X%'"),
        ("web_events", "event_type = 'wishlist_add'"),
        ("web_events", "try_cast(occurred_at as timestamptz) is null"),
    ],
)
def test_the_raw_data_is_dirty_like_the_demo(generated: Path, db: duckdb.DuckDBPyConnection,
                                              table: str, condition: str) -> None:
    source = parts(generated, table)
    assert scalar(db, f"select count(*) from {source} where {condition.format(t=source)}") > 0


def test_nothing_happens_after_the_end(generated: Path, db: duckdb.DuckDBPyConnection) -> None:
    latest = db.execute(
        f"select max(try_cast(occurred_at as timestamptz)) from {parts(generated, 'email_events')}"
    ).fetchall()[0][0]
    assert latest.replace(tzinfo=None) <= generate_data.END


def test_same_rows_whatever_the_threads(tmp_path: Path, db: duckdb.DuckDBPyConnection) -> None:
    for threads in (1, 2):
        generate_data.generate(
            generate_data.Settings(customers=300, out=tmp_path / f"t{threads}", threads=threads), log=False
        )
    for table in generate_data.TABLES:
        one, two = parts(tmp_path / "t1", table), parts(tmp_path / "t2", table)
        assert scalar(db, f"select count(*) from (from {one} except all from {two})") == 0, table
        assert scalar(db, f"select count(*) from (from {two} except all from {one})") == 0, table


def test_held_back_days_are_delivered_and_withheld_again(tmp_path: Path, db: duckdb.DuckDBPyConnection) -> None:
    out = tmp_path / "raw"
    total = generate_data.generate(generate_data.Settings(customers=300, out=out, hold_back_days=2), log=False)
    days = generate_data.held_back_days(out)
    assert days == ["2026-10-30", "2026-10-31"]
    before = scalar(db, f"select count(*) from {parts(out, 'email_events')}")
    for day in days:
        generate_data.deliver_day(out, day)
    assert scalar(db, f"select count(*) from {parts(out, 'email_events')}") == total["email_events"] > before
    generate_data.withhold_delivered_days(out)
    assert generate_data.held_back_days(out) == days
    assert scalar(db, f"select count(*) from {parts(out, 'email_events')}") == before


def test_command_line_scale(tmp_path: Path) -> None:
    settings = generate_data.parse_args(["--scale", "S", "--out", str(tmp_path), "--hold-back-days", "1"])
    assert (settings.customers, settings.hold_back_days, settings.parts) == (2_000, 1, 1)


def test_benchmark_measures_its_own_process_tree() -> None:
    assert benchmark.tree_rss_kb(os.getpid()) > 10_000


def test_benchmark_reads_the_steal_time_of_this_machine() -> None:
    stolen = benchmark.stolen_cpu_seconds()
    assert stolen >= 0.0 and benchmark.stolen_cpu_seconds() >= stolen


def test_benchmark_measures_the_peak_of_a_spill_folder(tmp_path: Path) -> None:
    """A command that writes 3 MB into the folder, waits, and deletes it: the peak is seen, the
    folder ends empty, and a missing folder counts as empty."""
    spill = tmp_path / "segments.duckdb.tmp"
    spill.mkdir()
    script = ("import pathlib, time; f = pathlib.Path(r'%s') / 'part.block'; f.write_bytes(bytes(3 * 2**20)); "
              "time.sleep(1.0); f.unlink()") % spill
    measured = benchmark.run_measured([sys.executable, "-c", script], dict(os.environ), tmp_path / "log.txt", spill)
    assert measured.peak_spill_mb == pytest.approx(3.0)
    assert measured.wall_seconds >= 1.0 and measured.peak_rss_mb > 0
    assert benchmark.folder_size_mb(spill) == 0.0
    assert benchmark.folder_size_mb(tmp_path / "missing") == 0.0


def test_benchmark_sampling_survives_a_failed_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB creates and deletes its spill folder and files during a build, so one reading may
    fail; the sampler skips it and keeps measuring (a sampler that died would stop the RSS too)."""
    spill = tmp_path / "segments.duckdb.tmp"
    spill.mkdir()
    real_folder_size_mb = benchmark.folder_size_mb
    calls = []

    def flaky(folder: Path) -> float:
        calls.append(folder)
        if len(calls) == 1:
            raise FileNotFoundError(folder)
        return real_folder_size_mb(folder)

    monkeypatch.setattr(benchmark, "folder_size_mb", flaky)
    script = ("import pathlib, time; time.sleep(0.5); (pathlib.Path(r'%s') / 'block').write_bytes(bytes(2 * 2**20)); "
              "time.sleep(0.6)") % spill
    measured = benchmark.run_measured([sys.executable, "-c", script], dict(os.environ), tmp_path / "log.txt", spill)
    assert len(calls) > 2 and measured.peak_spill_mb == pytest.approx(2.0)


def test_model_seconds_by_layer_sums_by_folder_and_kind() -> None:
    manifest = {"nodes": {
        "model.segments.base_email__events": {"resource_type": "model", "config": {"materialized": "incremental"},
                                              "original_file_path": "models/staging/email/base/base_email__events.sql"},
        "model.segments.base_shop__orders": {"resource_type": "model", "config": {"materialized": "table"},
                                             "original_file_path": "models/staging/shop/base/base_shop__orders.sql"},
        "model.segments.customer_facts": {"resource_type": "model", "config": {"materialized": "table"},
                                          "original_file_path": "models/marts/customers/customer_facts.sql"},
        "model.segments.customer_rfm": {"resource_type": "model", "config": {"materialized": "table"},
                                        "original_file_path": "models/marts/rfm/customer_rfm.sql"},
    }}
    results: list[dict[str, object]] = [
        {"unique_id": "model.segments.base_email__events", "execution_time": 2.0},
        {"unique_id": "model.segments.base_shop__orders", "execution_time": 1.0},
        {"unique_id": "model.segments.customer_facts", "execution_time": 1.5},
        {"unique_id": "model.segments.customer_rfm", "execution_time": 2.5},
        {"unique_id": "seed.segments.rfm_segment_map", "execution_time": 9.0},
    ]
    assert benchmark.model_seconds_by_layer(results, manifest) == {
        "marts, rebuilt": 4.0, "staging, incremental": 2.0, "staging, rebuilt": 1.0}
    assert list(benchmark.model_seconds_by_layer(results, manifest)) == [
        "marts, rebuilt", "staging, incremental", "staging, rebuilt"]


def test_benchmark_report_gives_every_ratio_in_wall_and_cpu_time_against_its_target() -> None:
    build = benchmark.Build(wall_seconds=100.0, peak_rss_mb=4096.0, peak_spill_mb=2560.0, cpu_seconds=150.0,
                            models=[benchmark.ModelRun("int_customer_facts", "view", 1.0),
                                    benchmark.ModelRun("customer_facts", "table", 2.0, 10)])
    report = benchmark.Report(
        scale="L", customers=1_000_000, rows={"orders": 10}, conditions={"cpus": "2"}, generate_seconds=None,
        full_build=build, incremental_build=benchmark.Build(wall_seconds=10.0, peak_rss_mb=1024.0, cpu_seconds=30.0,
                                                            seconds_by_layer={"marts, rebuilt": 6.0}),
        floor=Timed(40.0, 50.0), peer=Timed(60.0, 45.0), peer_customers=700_000,
        agreement=Agreement(customers=1_000, only_project=2, differing={"aov": 3, "clicks": 0}),
        order_rollup_alone=Timed(2.0, 1.0), customer_facts_alone=Timed(1.0, 0.5),
    )
    text = benchmark.format_report(report)
    assert (report.floor_ratio.wall_seconds, report.floor_ratio.cpu_seconds) == pytest.approx((2.5, 3.0))
    assert (report.incremental_share.wall_seconds, report.incremental_share.cpu_seconds) == pytest.approx((0.1, 0.2))
    # The ratio against the target counts the order rollup customer_facts reads, not the model alone.
    assert (report.peer_ratio.wall_seconds, report.peer_ratio.cpu_seconds) == pytest.approx((20.0, 30.0))
    assert (report.peer_ratio_model_only.wall_seconds, report.peer_ratio_model_only.cpu_seconds) == pytest.approx(
        (60.0, 90.0))
    for needle in ("| full build / floor | 2.5x wall, 3.0x CPU | <= 4x (goal 2.5x) |",
                   "| incremental / full | 10% wall, 20% CPU | <= 25% |",
                   "| peer / (order rollup + customer_facts) | 20.0x wall, 30.0x CPU | >= 10x |",
                   "60.0x wall, 90.0x CPU", "<= 6 GB", "40.0 s wall, 50.0 s CPU",
                   "| customer_facts model, in the full build (sharing the cores) | 3.00 s |",
                   "spill to disk, full build | 2.50 GB", "incremental build: marts, rebuilt 6 s",
                   "5 mismatches over 1,000 customers: only in the floor 0, only in customer_facts 2, "
                   "differing aov 3 | no mismatch |"):
        assert needle in text
    assert "<= 120 s" not in text and "15%" not in text
    agreeing = benchmark.format_report(dataclasses.replace(report, agreement=Agreement(customers=5, differing={"aov": 0})))
    assert "| agrees on all 5 customers, 1 column | no mismatch |" in agreeing


def test_slowest_orders_by_time_and_keeps_the_prefix() -> None:
    results: list[dict[str, object]] = [
        {"unique_id": "model.segments.a", "execution_time": 1.0},
        {"unique_id": "test.segments.unique_a_id.abc", "execution_time": 5.0},
        {"unique_id": "model.segments.b", "execution_time": 3.0},
    ]
    assert benchmark.slowest(results, "model.") == [("b", 3.0), ("a", 1.0)]
    assert benchmark.slowest(results, "test.") == [("unique_a_id", 5.0)]


# The per-model table and the work file's size: a hand-made run (run_results.json and manifest.json
# as dbt writes them) over a tiny DuckDB file holding two tables, an emptied table and a view.


def model_node(name: str, materialized: str, schema: str = "main") -> dict[str, object]:
    return {"resource_type": "model", "name": name, "alias": name, "schema": schema,
            "config": {"materialized": materialized}, "original_file_path": f"models/marts/{name}.sql"}


RUN_MANIFEST = {"nodes": {
    "model.segments.facts": model_node("facts", "table"),
    "model.segments.events": model_node("events", "incremental", "main_staging"),
    "model.segments.cleaned": model_node("cleaned", "view", "main_staging"),
    "model.segments.quiet": model_node("quiet", "table"),
    "seed.segments.country_codes": {"resource_type": "seed", "name": "country_codes", "alias": "country_codes",
                                    "schema": "main", "config": {"materialized": "seed"}},
}}


def run_results(seconds: dict[str, float]) -> list[dict[str, object]]:
    return [{"unique_id": unique_id, "execution_time": value} for unique_id, value in seconds.items()]


@pytest.fixture
def work_database(tmp_path: Path) -> Path:
    """facts 3 rows; events 5 rows of which 2 deleted (an incremental model's delete + insert):
    3; quiet empty; cleaned a view over events (its 3 rows must not be counted)."""
    database = tmp_path / "segments.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("""
            create schema main_staging;
            create table facts as select range as id from range(3);
            create table main_staging.events as select range as id from range(5);
            delete from main_staging.events where id < 2;
            create view main_staging.cleaned as select * from main_staging.events;
            create table quiet (id integer);
            create table country_codes as select 1 as id;
        """)
    return database


def test_model_runs_give_each_model_its_seconds_materialization_and_rows(work_database: Path) -> None:
    results = run_results({"seed.segments.country_codes": 0.5, "model.segments.events": 4.0,
                           "model.segments.cleaned": 0.25, "model.segments.facts": 1.5, "model.segments.quiet": 0.5})
    runs = benchmark.model_runs(results, RUN_MANIFEST, work_database)
    assert runs == [benchmark.ModelRun("events", "incremental", 4.0, 3), benchmark.ModelRun("cleaned", "view", 0.25, None),
                    benchmark.ModelRun("facts", "table", 1.5, 3), benchmark.ModelRun("quiet", "table", 0.5, 0)]


def test_table_rows_leave_out_views_and_missing_tables(work_database: Path) -> None:
    assert benchmark.table_rows(work_database, [("main", "facts"), ("main_staging", "cleaned"), ("main", "gone"),
                                                ("main_staging", "facts")]) == {("main", "facts"): 3}


def test_work_file_counts_the_wal_and_not_the_spill_folder(tmp_path: Path) -> None:
    database = tmp_path / "segments.duckdb"
    database.write_bytes(bytes(3 * 2**20))
    (tmp_path / "segments.duckdb.wal").write_bytes(bytes(2**20))
    (tmp_path / "segments.duckdb.tmp").mkdir()
    (tmp_path / "segments.duckdb.tmp" / "spill.block").write_bytes(bytes(5 * 2**20))
    assert benchmark.work_file_mb(database) == pytest.approx(4.0)
    (tmp_path / "segments.duckdb.wal").unlink()
    assert benchmark.work_file_mb(database) == pytest.approx(3.0)


def test_raw_parquet_counts_the_table_parts_and_not_the_held_back_days(tmp_path: Path) -> None:
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "part-0.parquet").write_bytes(bytes(2**20))
    (tmp_path / "orders" / "part-1.parquet").write_bytes(bytes(2**19))
    (tmp_path / "next" / "2026-10-31" / "orders").mkdir(parents=True)
    (tmp_path / "next" / "2026-10-31" / "orders" / "part-0.parquet").write_bytes(bytes(2**20))
    (tmp_path / "generated.json").write_text("{}")
    assert benchmark.raw_parquet_mb(tmp_path) == pytest.approx(1.5)


def nightly_report(full: benchmark.Build, nightly: benchmark.Build, raw_parquet_mb: float) -> benchmark.Report:
    return benchmark.Report(
        scale="300", customers=300, rows={"orders": 10}, conditions={"cpus": "2"}, generate_seconds=None,
        full_build=full, incremental_build=nightly, floor=Timed(1.0, 1.0), peer=Timed(1.0, 1.0), peer_customers=1,
        raw_parquet_mb=raw_parquet_mb)


def test_the_report_shows_where_a_night_goes_per_model_and_the_work_file_against_the_parquet() -> None:
    """Sorted by the nightly seconds (a tie by name), a view shown as such, a model of one build
    only shown with dashes, and the work file after both builds against the raw Parquet."""
    full = benchmark.Build(wall_seconds=10.0, peak_rss_mb=1.0, work_file_mb=600.0, models=[
        benchmark.ModelRun("facts", "table", 2.0, 1_000), benchmark.ModelRun("events", "incremental", 8.0, 50_000),
        benchmark.ModelRun("cleaned", "view", 1.0), benchmark.ModelRun("retired", "table", 3.0, 7)])
    nightly = benchmark.Build(wall_seconds=5.0, peak_rss_mb=1.0, work_file_mb=1_700.0, models=[
        benchmark.ModelRun("cleaned", "view", 0.5), benchmark.ModelRun("events", "incremental", 2.0, 51_200),
        benchmark.ModelRun("facts", "table", 2.0, 1_010), benchmark.ModelRun("added", "table", 0.25, 4)])
    rows = benchmark.model_table(full, nightly)
    assert [row.model for row in rows] == ["events", "facts", "cleaned", "added", "retired"]
    assert [row.nightly_share for row in rows] == [0.25, 1.0, 0.5, None, None]
    report = nightly_report(full, nightly, raw_parquet_mb=200.0)
    assert report.work_file_ratio == pytest.approx(8.5)
    text = benchmark.format_report(report)
    table = ["| model | materialization | full s | full rows | nightly s | nightly rows | nightly/full |",
             "|---|---|---|---|---|---|---|",
             "| events | incremental | 8.00 | 50,000 | 2.00 | 51,200 | 25% |",
             "| facts | table | 2.00 | 1,000 | 2.00 | 1,010 | 100% |",
             "| cleaned | view | 1.00 | view | 0.50 | view | 50% |",
             "| added | table | – | – | 0.25 | 4 | – |",
             "| retired | table | 3.00 | 7 | – | – | – |"]
    assert "\n".join(table) in text
    for needle in ("| raw Parquet the builds read | 200.0 MB | |",
                   "| work DuckDB file (.duckdb + .wal), after the full / incremental build | 600.0 MB / 1.66 GB | |",
                   "| work file after both builds / raw Parquet | 8.5x | <= 8x |"):
        assert needle in text
    assert "Slowest models" not in text
    data = benchmark.payload(report)
    assert data["work_file_ratio"] == pytest.approx(8.5)
    assert data["models"][0] == {"model": "events", "materialization": "incremental", "full_seconds": 8.0,
                                 "full_rows": 50_000, "nightly_seconds": 2.0, "nightly_rows": 51_200,
                                 "nightly_share": 0.25}
    assert "models" not in data["full_build"] and data["full_build"]["model_seconds"] == pytest.approx(14.0)
    json.dumps(data)
