"""Replay the project at successive as_of values so that the recorded history exists for past instants.

Run ``segments replay --start 2026-10-24T18:00 --end 2026-10-31T18:00 --every 1d``.
Each step is a ``dbt`` invocation with ``--vars '{segments__as_of: ...}'``: it rebuilds what the history
models need at that instant and records the build's rows there (incremental models keyed by
as_of, so a replayed instant replaces only its own rows). The history models are every model
whose past rows cannot be rebuilt from current data, i.e. with ``full_refresh: false``
(segment_history, and any other model recorded the same way). The last step also builds
everything else at ``--end`` (segment_changes, the journeys), so that entries into a segment
between two replayed builds show up, e.g. in ``journey_rfm_retention``.

``--backfill`` is what ``make build`` runs before its ``dbt build``: on a database whose history
models hold no row yet (a first build), it records the ``history_backfill_builds`` instants
before the build's as_of, ``history_backfill_every_days`` apart (vars as dbt resolves them,
``--vars`` included), so that the first build already has segment movement and retention journeys. Once
any history row exists it does nothing: real builds record the history from then on.

All steps run in this process on one parse of the project (dbt's Python API): a fresh parse per
as_of (vars change, so partial parsing is off) would cost more than the step itself. Only the
first step loads the seeds and builds the staging views; the steps in between run only the
models that depend on as_of and feed the history models.
Environment: SEGMENTS_DUCKDB_PATH (or ``--database``) picks the DuckDB file, as for ``dbt``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from store_segments.dbt_door import REPO_ROOT, DbtSession, set_environment, vars_yaml
# The history models: their rows of past builds cannot be rebuilt, so full refresh is off.
HISTORY_MODELS = "config.full_refresh:false"
# The first step builds the history models and every parent (staging views included).
FIRST_STEP_SELECT = f"+{HISTORY_MODELS}"
# Later steps: only what depends on as_of and feeds a history model (staging does not change).
HISTORY_STEP_SELECT = f"int_as_of+,+{HISTORY_MODELS}"
# The last step: every model that depends on as_of, with the parents those need.
FINAL_STEP_SELECT = "@int_as_of"
# --backfill builds as_of itself first, to read it.
AS_OF_SELECT = "+int_as_of"
BACKFILL_BUILDS_VAR = "segments__history_backfill_builds"
BACKFILL_EVERY_VAR = "segments__history_backfill_every_days"
# The vars every replay step sets itself.
REPLAY_VARS = ("segments__as_of", "segments__history_record_past")
EVERY_PATTERN = re.compile(r"^\s*(\d+)\s*([dh])\s*$")


@dataclass(frozen=True)
class Step:
    """One dbt invocation of the replay."""

    as_of: datetime
    args: tuple[str, ...]


def parse_instant(text: str) -> datetime:
    """An ISO date or timestamp as a naive UTC datetime (a date means midnight; offsets convert)."""
    value = text.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO date or timestamp: {text!r}") from error
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def parse_every(text: str) -> timedelta:
    """A step length such as ``1d`` or ``12h`` (a positive whole number of days or hours)."""
    match = EVERY_PATTERN.match(text)
    if match is None or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"--every takes a positive number of days or hours, like 1d or 12h: {text!r}")
    amount = int(match.group(1))
    return timedelta(days=amount) if match.group(2) == "d" else timedelta(hours=amount)


def as_of_values(start: datetime, end: datetime, every: timedelta) -> list[datetime]:
    """start, start + every, ... up to and including end (end itself is always the last value)."""
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    values: list[datetime] = []
    current = start
    while current < end:
        values.append(current)
        current += every
    values.append(end)
    return values


def format_as_of(instant: datetime) -> str:
    """The as_of var value dbt gets: an ISO timestamp in UTC, seconds precision."""
    return instant.strftime("%Y-%m-%d %H:%M:%S")


def vars_argument(instant: datetime, extra: dict[str, Any] | None = None) -> str:
    """The --vars YAML of one step: the build's own vars (if any) with as_of set to `instant`."""
    pairs = [f"{key}: {json.dumps(value)}" for key, value in (extra or {}).items() if key not in REPLAY_VARS]
    pairs.append(f'segments__as_of: "{format_as_of(instant)}"')
    # A replay records its instants even where later ones are recorded already.
    pairs.append("segments__history_record_past: true")
    return "{" + ", ".join(pairs) + "}"


def common_arguments(target_path: Path | None = None, log_path: Path | None = None) -> tuple[str, ...]:
    """The --target-path and --log-path every invocation shares."""
    common: list[str] = []
    if target_path is not None:
        common += ["--target-path", str(target_path)]
    if log_path is not None:
        common += ["--log-path", str(log_path)]
    return tuple(common)


def plan_steps(
    instants: Sequence[datetime],
    *,
    load_seeds: bool = True,
    final_build: bool = True,
    build_vars: dict[str, Any] | None = None,
    target_path: Path | None = None,
    log_path: Path | None = None,
) -> list[Step]:
    """The dbt invocations of a replay over `instants`, in order (see the module docstring).
    Without `final_build` the last instant is recorded like the others (a later build does the rest)."""
    common = list(common_arguments(target_path, log_path))
    steps: list[Step] = []
    for index, instant in enumerate(instants):
        run_vars = ["--vars", vars_argument(instant, build_vars)]
        if index == 0 and load_seeds:
            steps.append(Step(instant, ("seed", *common)))
        if index == len(instants) - 1 and final_build:
            select = FINAL_STEP_SELECT
        elif index == 0:
            select = FIRST_STEP_SELECT
        else:
            select = HISTORY_STEP_SELECT
        steps.append(Step(instant, ("run", "--select", select, *run_vars, *common)))
    return steps


def backfill_instants(as_of: datetime, builds: int, every: timedelta) -> list[datetime]:
    """The `builds` instants before `as_of`, `every` apart, oldest first (as_of itself excluded)."""
    return [as_of - every * step for step in range(builds, 0, -1)]


def run_steps(steps: Sequence[Step], session: DbtSession) -> float:
    """Run the steps in order, stop at the first failure (RuntimeError); seconds taken."""
    started = time.monotonic()
    for number, step in enumerate(steps, start=1):
        step_started = time.monotonic()
        session.invoke([*step.args, "--quiet"])
        seconds = time.monotonic() - step_started
        print(f"[{number}/{len(steps)}] as_of {format_as_of(step.as_of)}: dbt {' '.join(step.args[:3])} "
              f"({seconds:.1f} s)", flush=True)
    return time.monotonic() - started


def history_model_names(session: DbtSession) -> list[str]:
    """Names of the history models (HISTORY_MODELS)."""
    return session.list_names(HISTORY_MODELS)


def recorded_history_rows(session: DbtSession, model: str) -> int:
    """Rows a history model holds (0 when its table does not exist yet)."""
    sql = (f"{{%- set relation = load_relation(ref('{model}')) -%}}"
           "{%- if relation is none -%} select 0 as recorded_rows"
           "{%- else -%} select count(*) as recorded_rows from {{ relation }} {%- endif %}")
    return int(session.query_value(sql) or 0)


def backfill_settings(session: DbtSession) -> tuple[int, timedelta]:
    """history_backfill_builds and history_backfill_every_days, as dbt resolves them."""
    builds = int(str(session.var(BACKFILL_BUILDS_VAR)))
    every = int(str(session.var(BACKFILL_EVERY_VAR)))
    if builds < 0 or every < 1:
        raise ValueError(f"{BACKFILL_BUILDS_VAR} must be >= 0 and {BACKFILL_EVERY_VAR} >= 1")
    return builds, timedelta(days=every)


def backfill(session: DbtSession, build_vars: dict[str, Any]) -> list[datetime]:
    """Record the instants before the build's as_of when no history model holds a row yet."""
    builds, every = backfill_settings(session)
    models = history_model_names(session)
    if builds == 0 or not models:
        return []
    recorded = {model: recorded_history_rows(session, model) for model in models}
    if any(recorded.values()):
        print(f"history recorded already ({', '.join(f'{m}: {n} rows' for m, n in recorded.items())}): no backfill")
        return []
    vars_args = ["--vars", vars_yaml(build_vars)] if build_vars else []
    session.invoke(["seed", "--quiet", *session.common])
    session.invoke(["run", "--quiet", "--select", AS_OF_SELECT, *vars_args, *session.common])
    as_of = session.as_of()
    instants = backfill_instants(as_of, builds, every)
    steps = plan_steps(instants, load_seeds=False, final_build=False, build_vars=build_vars)
    seconds = run_steps([Step(s.as_of, (*s.args, *session.common)) for s in steps], session)
    print(f"recorded {', '.join(models)} at {len(instants)} as_of values before {format_as_of(as_of)} "
          f"({format_as_of(instants[0])} to {format_as_of(instants[-1])}) in {seconds:.1f} s")
    return instants


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--start", type=parse_instant, help="first as_of (ISO date or timestamp, UTC)")
    parser.add_argument("--end", type=parse_instant, help="last as_of (always replayed)")
    parser.add_argument("--every", type=parse_every, default=timedelta(days=1), help="step: 1d, 12h, ... (default 1d)")
    parser.add_argument("--backfill", action="store_true",
                        help="first build only: record the history_backfill_builds instants before as_of")
    parser.add_argument("--vars", default="", help="the build's --vars (YAML), for --backfill")
    parser.add_argument("--database", type=Path, help="DuckDB file (default: SEGMENTS_DUCKDB_PATH or segments.duckdb)")
    parser.add_argument("--target-path", type=Path, help="dbt --target-path")
    parser.add_argument("--log-path", type=Path, help="dbt --log-path")
    parser.add_argument("--no-seed", action="store_true", help="the seeds are loaded already: skip `dbt seed`")
    parser.add_argument("--dry-run", action="store_true", help="print the dbt commands, run nothing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = build_parser()
    args = parser.parse_args(argv)
    common = common_arguments(args.target_path, args.log_path)
    if args.backfill:
        build_vars = dict(yaml.safe_load(args.vars) or {}) if args.vars.strip() else {}
        set_environment(args.database)
        try:
            backfill(DbtSession(REPO_ROOT, common, build_vars), build_vars)
        except (RuntimeError, ValueError) as error:
            print(f"history backfill stopped: {error}", file=sys.stderr)
            return 1
        return 0
    if args.start is None or args.end is None:
        parser.error("--start and --end are required (or --backfill)")
    try:
        instants = as_of_values(args.start, args.end, args.every)
    except ValueError as error:
        parser.error(str(error))
    steps = plan_steps(instants, load_seeds=not args.no_seed, target_path=args.target_path, log_path=args.log_path)
    if args.dry_run:
        for step in steps:
            print(" ".join(["dbt", *step.args]))
        return 0
    set_environment(args.database)
    try:
        seconds = run_steps(steps, DbtSession(REPO_ROOT, common))
    except RuntimeError as error:
        print(f"replay stopped: {error}", file=sys.stderr)
        return 1
    print(f"replayed {len(instants)} as_of values from {format_as_of(instants[0])} to "
          f"{format_as_of(instants[-1])} in {seconds:.1f} s ({seconds / len(instants):.1f} s per as_of)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
