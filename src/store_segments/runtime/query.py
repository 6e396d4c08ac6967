"""Read a DuckDB file of the project from the shell: the built database or a published snapshot.

    segments query published/segments.duckdb "select * from customer_personas limit 10"
    segments query published/segments.duckdb          # its schemas and tables

The file is opened read-only, so a BI tool or the next build is never blocked by it. This stands in
for the `duckdb` command line: its PyPI package lags the DuckDB the project pins, and its older
engine cannot open files that engine writes (DECISIONS.md, "Reading the tables from the shell").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

TABLES = (
    "select table_schema as schema, table_name as name, lower(table_type) as type "
    "from information_schema.tables where table_catalog = current_database() order by 1, 2"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", type=Path, help="a DuckDB file, e.g. published/segments.duckdb")
    parser.add_argument("sql", nargs="?", help="one query (default: list the schemas and tables)")
    parser.add_argument("--max-rows", type=int, default=40, help="rows printed at most (default 40)")
    args = parser.parse_args(argv)
    if not args.database.exists():
        parser.error(f"{args.database} does not exist: run `make build` first")
    with duckdb.connect(str(args.database), read_only=True) as connection:
        try:
            relation = connection.sql(args.sql or TABLES)
            if relation is not None:
                relation.show(max_rows=args.max_rows, max_width=10_000)
        except duckdb.Error as error:
            print(error, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
