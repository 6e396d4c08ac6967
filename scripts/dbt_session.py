"""dbt invocations in this process that share one parse of the project (dbt's Python API).

The runtime scripts learn what dbt knows (vars, as_of, which models keep history) by asking dbt
through this session: an inline `dbt show` for a value, `dbt ls` for a selection, a
`dbt run-operation` for a macro. A parse costs seconds (a full one, after vars change, about
15 s on the demo), so one session parses once and every invocation reuses that manifest.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


def set_environment(database: Path | None) -> None:
    """The environment dbt reads: the project's profiles, no usage stats, the chosen database."""
    os.environ.setdefault("DBT_PROFILES_DIR", str(REPO_ROOT))
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    if database is not None:
        os.environ["SEGMENTS_DUCKDB_PATH"] = str(database)


def vars_yaml(build_vars: dict[str, Any]) -> str:
    """`--vars` text for dbt (YAML flow style)."""
    return yaml.safe_dump(build_vars, default_flow_style=True).strip()


class DbtSession:
    """dbt invocations in this process that share one parse of the project."""

    def __init__(self, project_dir: Path, common: Sequence[str] = (), build_vars: dict[str, Any] | None = None) -> None:
        from dbt.cli.main import dbtRunner  # dbt is slow to import: only when something runs

        self.project_dir = project_dir
        self.common = tuple(common)
        self.vars_args: tuple[str, ...] = ("--vars", vars_yaml(build_vars)) if build_vars else ()
        parsed = dbtRunner().invoke(
            ["parse", "--quiet", "--project-dir", str(project_dir), *self.common, *self.vars_args]
        )
        if not parsed.success:
            raise RuntimeError(f"dbt parse failed: {parsed.exception}")
        self.runner = dbtRunner(manifest=parsed.result)

    def invoke_result(self, args: Sequence[str], quiet: bool = False) -> Any:
        """Run one dbt command and return dbt's own result object, whether it succeeded or not."""
        command = [*args, "--project-dir", str(self.project_dir)]
        with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
            return self.runner.invoke(command)

    def invoke(self, args: Sequence[str], quiet: bool = False) -> Any:
        """Run one dbt command; its result, or RuntimeError when it fails."""
        result = self.invoke_result(args, quiet)
        if not result.success:
            raise RuntimeError(f"dbt {' '.join(args)} failed: {result.exception or 'see the log above'}")
        return result.result

    def query_rows(self, sql: str, limit: int = 1000) -> list[tuple[Any, ...]]:
        """The rows of an inline query (dbt show; Jinja, ref() and var() allowed)."""
        args = ["show", "--quiet", "--inline", sql, "--limit", str(limit), *self.common, *self.vars_args]
        table = self.invoke(args, quiet=True).results[0].agate_table
        return [tuple(row) for row in table.rows]

    def query_value(self, sql: str) -> Any:
        """The first column of the first row of an inline query (None without rows)."""
        rows = self.query_rows(sql, limit=1)
        return rows[0][0] if rows else None

    def var(self, name: str) -> Any:
        """A var as dbt resolves it for this session (--vars over dbt_project.yml), as JSON-able data."""
        text = self.query_value(f"select '{{{{ tojson(var('{name}')) | replace(\"'\", \"''\") }}}}' as value")
        return json.loads(str(text))

    def run_operation(self, macro: str, macro_args: dict[str, Any] | None = None) -> None:
        """Run a macro (dbt run-operation); RuntimeError when it fails."""
        args = ["run-operation", macro, "--quiet", *self.common, *self.vars_args]
        if macro_args:
            args += ["--args", json.dumps(macro_args)]
        self.invoke(args, quiet=True)

    def release_database(self) -> None:
        """Let go of the DuckDB file, so that this process can open it itself (publish, summary).

        dbt-duckdb keeps the file attached in the process after a command; the next command
        attaches it again."""
        try:
            from dbt.adapters.duckdb.connections import DuckDBConnectionManager
        except ImportError:  # another adapter: nothing held
            return
        with DuckDBConnectionManager._LOCK:
            environment = DuckDBConnectionManager._ENV
            if environment is not None:
                environment.close()
                DuckDBConnectionManager._ENV = None

    def list_names(self, select: str, resource_type: str = "model") -> list[str]:
        """Names of the nodes a selection picks (dbt ls)."""
        listed = self.invoke(["ls", "--quiet", "--resource-type", resource_type, "--select", select,
                              "--output", "name", *self.common], quiet=True)
        return sorted(str(name) for name in listed)
