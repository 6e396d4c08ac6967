"""Raw loading fails loudly and clearly.

- A raw input without a docs/definitions.md §2 column stops the build with one line per missing column,
  before any model runs (raw_source files: the on-run-start hook check_raw_inputs) or when the
  first model reads the seed (raw_source seeds: raw_table()), never with the engine's binder
  error from inside a base model; so does a Parquet part without one (parts are read by column
  name, and a part whose column types differ from the others' stages like them).
- Seeds load any RFC 4180 CSV: a doubled quote, a comma and a line break inside quotes after
  the first 20,480 rows (where DuckDB's CSV sniffer stops looking) load as written.
"""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import DBT, ROOT, copy_project, dbt_env

RAW_TABLES = ("customers", "products", "orders", "order_items", "email_messages", "email_events",
              "web_events")
BINDER_ERROR = "binder error"
MISSING = re.compile(r"raw_\w+: missing column \w+")


def run_dbt(project: Path, database: Path, work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """dbt in `project` on `database`, output (stdout and stderr) returned, never raising."""
    env = {**dbt_env(database), "DBT_PROFILES_DIR": str(project)}
    return subprocess.run(
        [str(DBT), *args, "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )


def write_without(source: Path, target: Path, dropped: set[str]) -> None:
    """Copy a CSV without the columns in `dropped`."""
    with source.open(newline="", encoding="utf-8") as reader_file, \
            target.open("w", newline="", encoding="utf-8") as writer_file:
        reader = csv.DictReader(reader_file)
        assert dropped <= set(reader.fieldnames or [])
        writer = csv.DictWriter(writer_file, [c for c in reader.fieldnames or [] if c not in dropped],
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(reader)


def test_files_missing_columns_stop_the_build_before_any_model(tmp_path: Path) -> None:
    raw_path = tmp_path / "raw"
    raw_path.mkdir()
    dropped = {"orders": {"ordered_at"}, "web_events": {"session_id"}}
    for table in RAW_TABLES:
        write_without(ROOT / "seeds" / f"raw_{table}.csv", raw_path / f"{table}.csv", dropped.get(table, set()))

    result = run_dbt(
        ROOT, tmp_path / "segments.duckdb", tmp_path, "build",
        "--vars", f"{{segments__raw_source: files, segments__raw_file_format: csv, segments__raw_path: '{raw_path}'}}",
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert set(MISSING.findall(output)) == {
        "raw_orders: missing column ordered_at", "raw_web_events: missing column session_id",
    }, output[-3000:]
    assert BINDER_ERROR not in output.lower(), output[-3000:]
    assert "START sql" not in output, "a model ran before the check"


# Rows after the sniffer's 20,480-row sample of raw_email_events, RFC 4180 quoting.
QUOTED_USER_AGENTS = {
    "E-QUOTED-1": 'Mozilla "Nan", Berg',
    "E-QUOTED-2": "first line,\nsecond line",
}


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's files in a temporary folder, to edit its seeds."""
    return copy_project(tmp_path_factory.mktemp("project"))


def test_seed_loads_quoted_values_after_the_sniffer_sample(project_copy: Path, tmp_path: Path) -> None:
    seed = project_copy / "seeds" / "raw_email_events.csv"
    with seed.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert len(rows) > 20_481, "the rows must come after DuckDB's sniffer sample"
    header, template = rows[0], rows[-1]
    added = []
    for event_id, user_agent in QUOTED_USER_AGENTS.items():
        row = dict(zip(header, template, strict=True)) | {"event_id": event_id, "user_agent": user_agent}
        added.append([row[column] for column in header])
    rows[-3:-3] = added  # near the end, not last
    with seed.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)

    database = tmp_path / "segments.duckdb"
    result = run_dbt(project_copy, database, tmp_path, "seed", "--select", "raw_email_events")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        loaded = dict(connection.execute(
            "select event_id, user_agent from main_raw.raw_email_events where event_id like 'E-QUOTED-%'"
        ).fetchall())
        count = connection.execute("select count(*) from main_raw.raw_email_events").fetchone()
    assert loaded == QUOTED_USER_AGENTS
    assert count == (len(rows) - 1,)


def test_seed_missing_column_fails_the_first_model_reading_it(project_copy: Path, tmp_path: Path) -> None:
    seed = project_copy / "seeds" / "raw_orders.csv"
    original = seed.read_bytes()
    try:
        write_without(ROOT / "seeds" / "raw_orders.csv", seed, {"ordered_at", "status"})
        database = tmp_path / "segments.duckdb"
        seeded = run_dbt(project_copy, database, tmp_path, "seed", "--select", "raw_orders")
        assert seeded.returncode == 0, (seeded.stdout + seeded.stderr)[-3000:]
        result = run_dbt(project_copy, database, tmp_path, "run", "--select", "base_shop__orders")
    finally:
        seed.write_bytes(original)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert set(MISSING.findall(output)) == {
        "raw_orders: missing column ordered_at", "raw_orders: missing column status",
    }, output[-3000:]
    assert BINDER_ERROR not in output.lower(), output[-3000:]


def write_parquet_parts(raw_path: Path, second_order_part: str) -> None:
    """The demo's seeds as Parquet, a folder of parts per table; the orders in two parts, the
    second one selected from the even lines by `second_order_part` (a select list)."""
    with duckdb.connect() as connection:
        for table in RAW_TABLES:
            (raw_path / table).mkdir(parents=True)
            seed = f"read_csv('{ROOT / 'seeds' / f'raw_{table}.csv'}', all_varchar = true)"
            if table != "orders":
                connection.execute(f"copy (select * from {seed}) to '{raw_path / table / 'part-1.parquet'}'")
                continue
            numbered = f"(select *, row_number() over () as line from {seed})"
            connection.execute(f"copy (select * exclude (line) from {numbered} where line % 2 = 1) "
                               f"to '{raw_path / table / 'part-1.parquet'}'")
            connection.execute(f"copy (select {second_order_part} from {numbered} where line % 2 = 0) "
                               f"to '{raw_path / table / 'part-2.parquet'}'")


def parquet_vars(raw_path: Path) -> str:
    return (f"{{segments__raw_source: files, segments__raw_file_format: parquet, segments__raw_path: '{raw_path}', "
            "segments__raw_file_pattern: '{table}/*.parquet'}")


def test_a_parquet_part_missing_a_column_stops_the_build(tmp_path: Path) -> None:
    """Parts are read by column name: a part without `discount` would stage its orders with no
    discount at all, so the check names the part before any model runs."""
    raw_path = tmp_path / "raw"
    write_parquet_parts(raw_path, "* exclude (line, discount)")
    result = run_dbt(ROOT, tmp_path / "segments.duckdb", tmp_path, "build", "--vars", parquet_vars(raw_path))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    problems = set(re.findall(r"raw_\w+: missing column \w+(?: in \S+)?", output))
    assert problems == {f"raw_orders: missing column discount in {raw_path / 'orders' / 'part-2.parquet'}"}, \
        output[-3000:]
    assert "START sql" not in output, "a model ran before the check"


def test_parquet_parts_whose_column_types_differ_stage_every_order(tmp_path: Path) -> None:
    """A part writing `total` as a double (another as text) stages like the seed's text."""
    raw_path = tmp_path / "raw"
    write_parquet_parts(raw_path, "* exclude (line, total), try_cast(total as double) as total")
    database = tmp_path / "segments.duckdb"
    result = run_dbt(ROOT, database, tmp_path, "build", "--select", "+base_shop__orders", "--exclude-resource-type",
                     "test", "--exclude-resource-type", "unit_test", "--vars", parquet_vars(raw_path))
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    seed = ROOT / "seeds" / "raw_orders.csv"
    with duckdb.connect(str(database), read_only=True) as connection:
        staged = connection.execute("select count(*), count(total) from main_staging.base_shop__orders").fetchone()
        expected = connection.execute(
            f"select count(*), count(try_cast(trim(total) as decimal(18, 2))) from read_csv('{seed}', all_varchar = true)"
        ).fetchone()
    assert staged == expected
