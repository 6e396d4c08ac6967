"""Preview one custom segment from a built database: `make segment NAME=...`.

    segments segment us_viewed_product_not_bought
    segments segment us_viewed_product_not_bought --as-of 2026-06-01
    segments segment us_viewed_product_not_bought --database previews/20260601T000000.duckdb

Prints the segment's size and share of customers, how many customers each top-level condition
keeps (a funnel for a top-level `all`: each step counts the customers meeting it and every step
above it; for a top-level `any`, each condition's own count), the members per primary persona, and
five sample members (ordered by a hash of customer_id) with the values their leaves compared.
A segment with no member or with every customer gets a `warning:` line; an unknown name exits 2
with the defined names.

The SQL comes from the project's compiler: macro custom_segment_preview, compiled by
`dbt compile --inline` without a connection, evaluates each top-level condition over the same
inputs custom_segment_members reads (macro custom_segment_inputs). The query runs here, on the
database opened read-only, so a preview never blocks a build or a reader.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from store_segments.runtime import build, replay
from store_segments.dbt_door import REPO_ROOT, DbtSession, set_environment, work_database

UNKNOWN_NAME = 2
SAMPLE_SIZE = 5
# Longer condition labels are cut: a nested any or all of several leaves would fill the line.
LABEL_WIDTH = 110


@dataclass
class Preview:
    """What the preview found in one database."""

    as_of: Any
    customers: int
    size: int
    built_size: int
    differing: int
    steps: list[int]
    personas: list[tuple[str, int]]
    sample: list[tuple[Any, ...]]


def compile_preview(session: DbtSession, name: str) -> dict[str, Any]:
    """The macro custom_segment_preview's answer for `name`, compiled by dbt (no connection opened)."""
    inline = "{{ tojson(custom_segment_preview(" + json.dumps(name) + ")) }}"
    result = session.invoke(
        ["compile", "--quiet", "--no-populate-cache", "--inline", inline, *session.common, *session.vars_args],
        quiet=True)
    return json.loads(result.results[0].node.compiled_code)


def label(text: str) -> str:
    """A condition's readable text (the compiler's wording), cut at LABEL_WIDTH."""
    return text if len(text) <= LABEL_WIDTH else text[:LABEL_WIDTH - 3] + "..."


def open_read_only(database: Path, catalog: str) -> duckdb.DuckDBPyConnection:
    """The database attached read-only under the catalog name the compiled SQL uses."""
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    path = str(database).replace("'", "''")
    connection.execute(f"attach '{path}' as \"{catalog}\" (read_only)")
    connection.execute(f'use "{catalog}"')
    return connection


def missing_activity_columns(connection: duckdb.DuckDBPyConnection, compiled: dict[str, Any]) -> list[str]:
    """Aggregates the definitions ask for that the build did not make (definitions changed since)."""
    built = {row[0] for row in connection.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [compiled["activity_schema"], compiled["activity_table"]]).fetchall()}
    return [column for column in compiled["activity_columns"] if column not in built]


def evaluate(connection: duckdb.DuckDBPyConnection, compiled: dict[str, Any]) -> Preview:
    """Counts, funnel, persona overlap and sample of the compiled segment over the open database."""
    connection.execute(f"create temp table preview as {compiled['sql']}")
    as_of, customers, size, built_size, differing = connection.execute(
        "select max(as_of), count(*), count_if(is_member), count_if(is_built_member),"
        " count_if(is_member <> is_built_member) from preview").fetchone()
    meets = [f"meets_{number}" for number in range(1, len(compiled["steps"]) + 1)]
    if compiled["shape"] == "all":
        counted = [" and ".join(meets[:number]) for number in range(1, len(meets) + 1)]
    else:
        counted = meets
    steps = list(connection.execute(
        "select " + ", ".join(f"count_if({condition})" for condition in counted) + " from preview").fetchone())
    personas = connection.execute(
        "select coalesce(primary_persona, '(none)'), count(*) from preview where is_member"
        " group by 1 order by 2 desc, 1").fetchall()
    values = ", ".join(f"value_{number}" for number in range(1, len(compiled["leaves"]) + 1))
    sample = connection.execute(
        f"select customer_id, {values}, primary_persona, entered_because from preview where is_member"
        f" order by sample_order, customer_id limit {SAMPLE_SIZE}").fetchall()
    return Preview(as_of, customers, size, built_size, differing, steps, personas, sample)


def shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Rows as left-aligned columns (numbers right-aligned)."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell.rjust(width) if cell.replace(".", "", 1).lstrip("-").isdigit() else cell.ljust(width)
                 for cell, width in zip(row, widths, strict=True)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def format_preview(compiled: dict[str, Any], preview: Preview, source: str) -> str:
    segment = compiled["segment"]
    name = segment["name"]
    share = 100.0 * preview.size / preview.customers if preview.customers else 0.0
    lines = [
        f"Custom segment {name} (owner: {segment['owner']})",
        textwrap.fill(" ".join(str(segment["description"]).split()), width=100, initial_indent="  ",
                      subsequent_indent="  "),
        f"Read from {source}, as_of {preview.as_of}.",
        "",
        f"Size: {preview.size} of {preview.customers} customers ({share:.1f}%).",
    ]
    if preview.size == 0:
        lines.append(f"warning: {name} is empty: no customer meets it at this as_of "
                     "(the counts below show which condition leaves nobody).")
    elif preview.size == preview.customers:
        lines.append(f"warning: {name} holds every customer: its condition leaves nobody out.")
    if preview.differing:
        lines.append(f"warning: this database's custom_segment_members holds {preview.built_size} customers "
                     f"for {name}, {preview.differing} of them in or out where this definition differs: "
                     "the definitions changed since it was built (make build brings the tables up to date).")
    lines.append("")
    if compiled["shape"] == "all":
        lines.append("Funnel of its top-level all (customers meeting a condition and every one above it):")
    elif compiled["shape"] == "any":
        lines.append("Its top-level any, each condition's own count (a member meets at least one):")
    else:
        lines.append("Its condition's count:")
    lines += table([[str(count), label(step)] for count, step in zip(preview.steps, compiled["steps"], strict=True)])
    if preview.personas:
        lines += ["", "Members per primary persona:"]
        lines += table([[persona, str(count)] for persona, count in preview.personas])
    if preview.sample:
        leaves = compiled["leaves"]
        lines += ["", f"Sample members ({len(preview.sample)}, by a hash of customer_id) and the values "
                  "their conditions compared:"]
        lines += [f"  [{number}] {label(leaf)}" for number, leaf in enumerate(leaves, start=1)]
        header = ["customer_id", *[f"[{number}]" for number in range(1, len(leaves) + 1)], "primary persona"]
        rows = [[shown(cell) for cell in row[:-1]] for row in preview.sample]
        lines += table([header, *rows])
    return "\n".join(lines)


def database_of(args: argparse.Namespace) -> tuple[Path, str]:
    """The database to read, and how to name it: the work database, a named file or AS_OF's preview."""
    if args.database is not None:
        return args.database, str(args.database)
    if args.as_of is not None:
        database = build.preview_database(args.preview_dir, args.as_of)
        return database, f"{database} (the preview at {replay.format_as_of(args.as_of)})"
    database = work_database()
    return database, f"{database} (the last build)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("name", help="a custom segment's name (var segments__custom_segments)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database", type=Path, help="a built DuckDB file, e.g. previews/20260601T000000.duckdb")
    where.add_argument("--as-of", type=replay.parse_instant, metavar="AS_OF",
                       help="read the preview `make preview AS_OF=...` built at this instant")
    parser.add_argument("--preview-dir", type=Path, default=REPO_ROOT / "previews")
    parser.add_argument("--vars", default="", help="vars (YAML), as for dbt --vars: the definitions to preview")
    args = parser.parse_args(argv)
    database, source = database_of(args)
    if not database.exists():
        print(f"{database} does not exist: run `make build` (or `make preview AS_OF=...`) first", file=sys.stderr)
        return 1
    set_environment(None)
    build_vars = dict(yaml.safe_load(args.vars) or {}) if args.vars.strip() else {}
    # No manifest or run results written: target/ keeps what the last build wrote there.
    common = ("--no-write-json",)
    try:
        compiled = compile_preview(DbtSession(REPO_ROOT, common, build_vars), args.name)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    if compiled["segment"] is None:
        names = compiled["names"]
        print(f"no custom segment named {args.name!r}; defined (var segments__custom_segments): "
              f"{', '.join(names) if names else 'none'}", file=sys.stderr)
        return UNKNOWN_NAME
    with open_read_only(database.resolve(), compiled["database"]) as connection:
        missing = missing_activity_columns(connection, compiled)
        if missing:
            print(f"{database} has no activity column {', '.join(missing)}: the definitions (var segments__custom_segments) "
                  "ask for aggregates its build did not make; build with these definitions first", file=sys.stderr)
            return 1
        try:
            preview = evaluate(connection, compiled)
        except duckdb.Error as error:
            print(f"{database} cannot be previewed (is it a complete build?): {error}", file=sys.stderr)
            return 1
    print(format_preview(compiled, preview, source))
    return 0


if __name__ == "__main__":
    sys.exit(main())
