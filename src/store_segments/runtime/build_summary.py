"""Print where the segment tables are and what a build put in them.

`make build` runs this after `dbt build` so that a user sees, without opening a SQL client,
which DuckDB file to open, which tables to read, and whether the numbers look sane.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from store_segments.dbt_door import work_database

# The marts a BI tool or reverse-ETL job reads, in the order the README introduces them.
MART_TABLES: tuple[str, ...] = (
    "customer_facts",
    "customer_rfm",
    "rfm_report_readiness",
    "segment_memberships",
    "customer_personas",
    "winback_test_audiences",
    "customer_btyd_inputs",
    "btyd_parameters",
    "customer_predictions",
    "journey_queue",
)

# The cross-journey holds, listed even when no step was held, so a reader sees they were applied.
CROSS_JOURNEY_HOLDS: tuple[str, ...] = ("lower_priority", "frequency_cap")


@dataclass(frozen=True)
class BuildSummary:
    """The numbers a person checks after a build."""

    database_path: Path
    schema: str
    as_of: str
    customers: int
    purchasers: int
    rfm_is_ready: bool
    personas: list[tuple[str, int]]
    rfm_segments: list[tuple[str, int]]
    quarantined: list[tuple[str, str, int]]
    journeys_due: list[tuple[str, int]]
    journey_holds: list[tuple[str, int]]


def _rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in connection.execute(sql).fetchall()]


def mart_schema(connection: duckdb.DuckDBPyConnection) -> str:
    """The schema dbt built the marts in (the target schema, `main` by default)."""
    found = _rows(
        connection,
        "select table_schema from information_schema.tables where table_name = 'customer_facts'",
    )
    if not found:
        raise SystemExit("customer_facts not found: run `make build` first")
    return str(found[0][0])


def read_summary(database_path: Path) -> BuildSummary:
    """Read the summary from a built DuckDB file (read-only, so a BI tool may hold it too)."""
    with duckdb.connect(str(database_path), read_only=True) as connection:
        schema = mart_schema(connection)
        facts = _rows(
            connection,
            f"select count(*), count(*) filter (where valid_orders > 0), max(as_of) "
            f"from {schema}.customer_facts",
        )[0]
        ready = _rows(connection, f"select is_ready from {schema}.rfm_report_readiness")
        personas = _rows(
            connection,
            f"select primary_persona, count(*) from {schema}.customer_personas "
            f"group by 1 order by 2 desc, 1",
        )
        segments = _rows(
            connection,
            f"select rfm_segment, count(*) from {schema}.customer_rfm group by 1 order by 2 desc, 1",
        )
        journeys_due = _rows(
            connection,
            f"select journey, count(*) filter (where status = 'due') from {schema}.journey_queue "
            f"group by 1 order by 2 desc, 1",
        )
        holds = dict(
            _rows(
                connection,
                f"select reason, count(*) from {schema}.journey_queue where status = 'suppressed' group by 1",
            )
        )
        audit_schema = _rows(
            connection,
            "select table_schema from information_schema.tables where table_name = 'quarantined_rows'",
        )
        quarantined: list[tuple[object, ...]] = []
        if audit_schema:
            quarantined = _rows(
                connection,
                f"select source_table, quarantine_reason, count(*) from {audit_schema[0][0]}.quarantined_rows "
                f"group by 1, 2 order by 1, 3 desc",
            )
    return BuildSummary(
        database_path=database_path,
        schema=schema,
        as_of=str(facts[2]),
        customers=int(str(facts[0])),
        purchasers=int(str(facts[1])),
        rfm_is_ready=bool(ready and ready[0][0]),
        personas=[(str(name), int(str(count))) for name, count in personas],
        rfm_segments=[(str(name), int(str(count))) for name, count in segments],
        quarantined=[(str(table), str(reason), int(str(count))) for table, reason, count in quarantined],
        journeys_due=[(str(name), int(str(count))) for name, count in journeys_due],
        journey_holds=sorted(
            ((str(reason), int(str(holds.get(reason, 0)))) for reason in {*CROSS_JOURNEY_HOLDS, *map(str, holds)}),
            key=lambda hold: (-hold[1], hold[0]),
        ),
    )


def format_summary(summary: BuildSummary) -> str:
    """The summary as the lines `make build` prints."""
    lines = [
        f"Segment tables built in {summary.database_path.resolve()}",
        f"  schema {summary.schema}: " + ", ".join(MART_TABLES),
        # A command a reader can paste from the project directory (README, "Reading the tables").
        f"  open:  .venv/bin/segments query {summary.database_path} "
        f"\"select * from {summary.schema}.customer_personas limit 10\"",
        "",
        f"as_of {summary.as_of}: {summary.customers} customers, {summary.purchasers} purchasers, "
        f"RFM report ready: {'yes' if summary.rfm_is_ready else 'no'}",
        "",
        "Customers per primary persona:",
    ]
    lines += [f"  {name:<30} {count:>6}" for name, count in summary.personas]
    lines += ["", "Purchasers per RFM segment:"]
    lines += [f"  {name:<30} {count:>6}" for name, count in summary.rfm_segments]
    lines += ["", f"Journey emails due now: {sum(count for _, count in summary.journeys_due)} (journey_queue)"]
    lines += [f"  {name:<30} {count:>6}" for name, count in summary.journeys_due]
    lines += ["Journey steps held back (status suppressed), by reason:"]
    lines += [f"  {reason:<30} {count:>6}" for reason, count in summary.journey_holds]
    if summary.quarantined:
        lines += ["", "Raw rows kept out of the facts (audit schema, quarantined_rows):"]
        lines += [f"  {table:<20} {reason:<24} {count:>6}" for table, reason, count in summary.quarantined]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database", type=Path, nargs="?", help="default: the profile's work database")
    args = parser.parse_args(argv)
    args.database = args.database or work_database()
    if not args.database.exists():
        print(f"{args.database} does not exist: run `make build` first", file=sys.stderr)
        return 1
    print(format_summary(read_summary(args.database)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
