"""Run the compiled SQL of some models alone, in a built DuckDB database, under a memory cap.

Run ``segments model-alone --database data/benchmark-L/segments.duckdb
--target-path data/benchmark-L/target-full --memory-limit 1GB site_sessions int_customer_products``.

Each model's compiled SQL (from the dbt target of the build that made the database) is written
into a scratch table, dropped after, with the profile's DuckDB settings (as dbt resolves them,
store_segments/dbt_door.py, unless --threads or --memory-limit say otherwise), and one line per model
says how long it took or that it ran out of memory. dbt runs two models at a time under one
DuckDB cap, so a model that needs more than about half the cap alone can stop a build beside
another big one; this is how to find it. Nothing else may have the database open.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from store_segments.dbt_door import project_settings

SCRATCH_SCHEMA = "model_alone_scratch"


@dataclass(frozen=True)
class Alone:
    """One model run alone: its wall and CPU seconds, or why it failed."""

    name: str
    wall_seconds: float
    cpu_seconds: float
    error: str | None = None

    def line(self) -> str:
        if self.error is None:
            return f"ok    {self.name}: {self.wall_seconds:.1f} s wall, {self.cpu_seconds:.1f} s CPU"
        return f"FAIL  {self.name} after {self.wall_seconds:.1f} s: {self.error}"


def compiled_sql(target: Path, names: tuple[str, ...]) -> dict[str, str]:
    """The compiled SQL of each named model, from the target's manifest and compiled folder."""
    manifest = json.loads((target / "manifest.json").read_text())
    paths = {node["name"]: node["original_file_path"] for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and node["name"] in names}
    unknown = sorted(set(names) - set(paths))
    if unknown:
        raise SystemExit(f"not models of this build: {', '.join(unknown)}")
    return {name: (target / "compiled" / manifest["metadata"]["project_name"]
                   / paths[name]).read_text() for name in names}


def run_alone(database: Path, target: Path, names: tuple[str, ...], threads: int, memory_limit: str,
              profile_settings: Mapping[str, Any] | None = None) -> Iterator[Alone]:
    """Each model's compiled SQL into a scratch table, one after the other, under the profile's
    DuckDB settings (`profile_settings`, default the ones dbt resolves) set as dbt-duckdb sets them,
    then `threads` and `memory_limit`; yielded as it ends. A model that fails is reported and the
    next one still runs."""
    statements = compiled_sql(target, names)
    settings = {**(project_settings().adapter_settings if profile_settings is None else profile_settings),
                "threads": threads, "memory_limit": memory_limit}
    connection = duckdb.connect(str(database))
    try:
        for setting, value in settings.items():
            escaped = str(value).replace("'", "''")
            connection.execute(f"set {setting} = '{escaped}'")
        connection.execute(f"set enable_progress_bar = false; create schema if not exists {SCRATCH_SCHEMA}")
        for name in names:
            started, cpu_started = time.monotonic(), time.process_time()
            error = None
            try:
                connection.execute(f"create or replace table {SCRATCH_SCHEMA}.{name} as {statements[name]}")
            except duckdb.Error as failure:
                error = str(failure).splitlines()[0]
            alone = Alone(name, time.monotonic() - started, time.process_time() - cpu_started, error)
            connection.execute(f"drop table if exists {SCRATCH_SCHEMA}.{name}")
            yield alone
    finally:
        connection.execute(f"drop schema if exists {SCRATCH_SCHEMA} cascade")
        connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+", help="model names")
    parser.add_argument("--database", type=Path, required=True, help="the built DuckDB file")
    parser.add_argument("--target-path", type=Path, required=True, help="the dbt target of the build that made it")
    parser.add_argument("--memory-limit", help="DuckDB's memory cap (default: the profile's)")
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: the profile's)")
    args = parser.parse_args(argv)
    settings = project_settings()
    threads = settings.duckdb_threads if args.threads is None else args.threads
    memory_limit = args.memory_limit or settings.duckdb_memory_limit
    failed = False
    for result in run_alone(args.database, args.target_path, tuple(args.models), threads, memory_limit,
                            settings.adapter_settings):
        print(result.line(), flush=True)
        failed = failed or result.error is not None
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
