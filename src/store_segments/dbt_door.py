"""The one door into dbt: how the Python side learns vars, as_of, paths and settings.

No other module reads the project's or the profile's YAML, or repeats a rule that lives in a macro
(tests_py/test_one_door.py checks the first). Two ways in:

- `project_settings`: the vars and the target as dbt resolves them from the project, the profile,
  `--vars` and the environment (dbt's own RuntimeConfig, the one its commands build; about 3 s,
  no parse). For scripts that need settings but run no dbt command (publish, report, the floor).
- `DbtSession`: dbt invocations in this process that share one parse of the project (dbt's
  Python API): an inline `dbt show` for a value (a var, the build's as_of, a macro's answer),
  `dbt ls` for a selection, a `dbt run-operation` for a macro. A parse costs seconds (a full one,
  after vars change, about 15 s on the demo), so one session parses once and every invocation
  reuses that manifest; its `settings` are `project_settings` of the same arguments.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

PROJECT_FILE = "dbt_project.yml"


def project_root() -> Path:
    """The dbt project the commands work on: the working directory when it is one (as for dbt
    itself, so `make` in a copy of the checkout works on that copy), else the checkout this package
    is installed from (the Makefile installs it editable: src/store_segments/ sits two folders
    below the project), else the working directory."""
    working = Path.cwd().resolve()
    if (working / PROJECT_FILE).is_file():
        return working
    checkout = Path(__file__).resolve().parents[2]
    return checkout if (checkout / PROJECT_FILE).is_file() else working


REPO_ROOT = project_root()


def set_environment(database: Path | None) -> None:
    """The environment dbt reads: the project's profiles, no usage stats, the chosen database."""
    os.environ.setdefault("DBT_PROFILES_DIR", str(REPO_ROOT))
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    if database is not None:
        os.environ["SEGMENTS_DUCKDB_PATH"] = str(database)


def vars_yaml(build_vars: dict[str, Any]) -> str:
    """`--vars` text for dbt (YAML flow style)."""
    return yaml.safe_dump(build_vars, default_flow_style=True).strip()


@dataclass(frozen=True)
class ProjectSettings:
    """What dbt resolves for one invocation: the root project's vars with --vars over them, and the
    target of the profile (threads, adapter settings), environment variables rendered."""

    vars: dict[str, Any]
    target_name: str
    target_type: str
    # dbt's threads: models run side by side.
    threads: int
    # The profile's adapter settings (dbt-duckdb's `settings`: DuckDB's threads, memory_limit, ...).
    adapter_settings: dict[str, Any] = field(default_factory=dict)
    # The DuckDB file the target builds into (dbt-duckdb's `path`, as it opens it); None elsewhere.
    database: Path | None = None

    @property
    def duckdb_threads(self) -> int:
        """DuckDB's own threads, shared by dbt's (the profile's `settings.threads`)."""
        return int(str(self.adapter_settings.get("threads", self.threads)))

    @property
    def duckdb_memory_limit(self) -> str:
        """DuckDB's memory cap (the profile's `settings.memory_limit`)."""
        return str(self.adapter_settings["memory_limit"])


def dbt_arguments(project_dir: Path, build_vars: dict[str, Any] | None, target: str | None = None) -> list[str]:
    """The arguments of a dbt command on the project with these vars and target."""
    arguments = ["--project-dir", str(project_dir),
                 "--profiles-dir", os.environ.get("DBT_PROFILES_DIR", str(REPO_ROOT))]
    if build_vars:
        arguments += ["--vars", vars_yaml(build_vars)]
    if target:
        arguments += ["--target", target]
    return arguments


def project_settings(project_dir: Path = REPO_ROOT, build_vars: dict[str, Any] | None = None,
                     target: str | None = None) -> ProjectSettings:
    """The vars and the target dbt resolves for a command with these arguments, without a parse.

    dbt builds a RuntimeConfig from a command's flags before it parses; this builds the same one.
    Jinja cannot list the vars (the sandbox hides `var`'s mapping) and neither the manifest nor
    run_results.json holds the project's vars (DECISIONS.md "One door into dbt")."""
    from dbt.cli.flags import Flags, args_to_context
    from dbt.config.runtime import RuntimeConfig
    from dbt.context.providers import FQNLookup
    from dbt.flags import set_flags
    from dbt_common.context import set_invocation_context

    set_environment(None)
    flags = Flags(args_to_context(["parse", *dbt_arguments(project_dir, build_vars, target)]))
    set_flags(flags)
    set_invocation_context(os.environ)  # what env_var() in the profile reads
    config = RuntimeConfig.from_args(flags)
    credentials = config.credentials
    project_vars = config.vars.vars_for(FQNLookup(config.project_name), credentials.type)
    return ProjectSettings(
        vars={**project_vars, **config.cli_vars},
        target_name=config.target_name,
        target_type=credentials.type,
        threads=int(config.threads),
        adapter_settings=dict(getattr(credentials, "settings", None) or {}),
        database=Path(credentials.path).resolve() if credentials.type == "duckdb" else None,
    )


def work_database(project_dir: Path = REPO_ROOT) -> Path:
    """The DuckDB file dbt builds into (the profile's path, SEGMENTS_DUCKDB_PATH rendered)."""
    database = project_settings(project_dir).database
    if database is None:
        raise SystemExit("the profile's target is not DuckDB: name the database file (--database)")
    return database


def as_naive_utc(value: Any) -> datetime | None:
    """A timestamp value (a datetime or ISO text) as a naive UTC datetime; None for none."""
    if value is None or value == "":
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)


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
        self.build_vars = dict(build_vars or {})

    @cached_property
    def settings(self) -> ProjectSettings:
        """The vars and the target as dbt resolves them for this session's invocations."""
        return project_settings(self.project_dir, self.build_vars)

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

    def as_of(self) -> datetime:
        """The as_of of this build: the one row of int_as_of (what every model measures back from,
        the var segments__as_of or the rule of int_as_of), as a naive UTC datetime. RuntimeError when
        int_as_of is not built or holds no as_of."""
        value = self.query_value("select as_of from {{ ref('int_as_of') }}")
        try:
            as_of = as_naive_utc(value)
        except ValueError as error:
            raise RuntimeError(f"int_as_of has no as_of: {value!r}") from error
        if as_of is None:
            raise RuntimeError(f"int_as_of has no as_of: {value!r}")
        return as_of

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
