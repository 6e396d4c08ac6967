"""Replay the project at successive as_of values so that segment history exists for past instants.

Run ``python scripts/replay.py --start 2026-10-24T18:00 --end 2026-10-31T18:00 --every 1d``.
Each step is a ``dbt`` subprocess with ``--vars '{as_of: ...}'``: it rebuilds what
``segment_history`` needs at that instant and records the build's segment memberships there
(an incremental model keyed by as_of, so a replayed instant replaces only its own rows). The last
step also builds everything else at ``--end`` (segment_changes, the journeys), so that entries
into a segment between two replayed builds show up, e.g. in ``journey_rfm_retention``.

To keep a step fast, only the first step loads the seeds and builds the staging views; the
steps in between run only the models that depend on as_of and feed segment_history.
Environment: SEGMENTS_DUCKDB_PATH (or ``--database``) picks the DuckDB file, as for ``dbt``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HISTORY_MODEL = "segment_history"
# The first step builds segment_history and every parent (staging views included).
FIRST_STEP_SELECT = f"+{HISTORY_MODEL}"
# Later steps: only what depends on as_of and feeds segment_history (staging does not change).
HISTORY_STEP_SELECT = f"int_as_of+,+{HISTORY_MODEL}"
# The last step: every model that depends on as_of, with the parents those need.
FINAL_STEP_SELECT = "@int_as_of"
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


def vars_argument(instant: datetime) -> str:
    """The --vars YAML of one step."""
    return f'{{as_of: "{format_as_of(instant)}"}}'


def plan_steps(
    instants: Sequence[datetime],
    *,
    load_seeds: bool = True,
    target_path: Path | None = None,
    log_path: Path | None = None,
) -> list[Step]:
    """The dbt invocations of a replay over `instants`, in order (see the module docstring)."""
    common: list[str] = []
    if target_path is not None:
        common += ["--target-path", str(target_path)]
    if log_path is not None:
        common += ["--log-path", str(log_path)]
    steps: list[Step] = []
    for index, instant in enumerate(instants):
        run_vars = ["--vars", vars_argument(instant)]
        if index == 0 and load_seeds:
            steps.append(Step(instant, ("seed", *common)))
        if index == len(instants) - 1:
            select = FINAL_STEP_SELECT
        elif index == 0:
            select = FIRST_STEP_SELECT
        else:
            select = HISTORY_STEP_SELECT
        steps.append(Step(instant, ("run", "--select", select, *run_vars, *common)))
    return steps


def default_dbt() -> str:
    """The dbt next to this Python (the project's venv), else whatever `dbt` is on PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_environment(database: Path | None) -> dict[str, str]:
    """The environment of the dbt subprocesses: the project's profiles, no usage stats."""
    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(REPO_ROOT))
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    if database is not None:
        env["SEGMENTS_DUCKDB_PATH"] = str(database)
    return env


def run_steps(steps: Sequence[Step], dbt: str, env: dict[str, str], project_dir: Path = REPO_ROOT) -> float:
    """Run the steps in order, stop at the first failure (its output goes to stderr); seconds taken."""
    started = time.monotonic()
    for number, step in enumerate(steps, start=1):
        command = [dbt, *step.args]
        step_started = time.monotonic()
        result = subprocess.run(command, cwd=project_dir, env=env, capture_output=True, text=True, check=False)
        seconds = time.monotonic() - step_started
        print(f"[{number}/{len(steps)}] as_of {format_as_of(step.as_of)}: dbt {' '.join(step.args[:3])} "
              f"({seconds:.1f} s)", flush=True)
        if result.returncode != 0:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
            raise subprocess.CalledProcessError(result.returncode, command)
    return time.monotonic() - started


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--start", type=parse_instant, required=True, help="first as_of (ISO date or timestamp, UTC)")
    parser.add_argument("--end", type=parse_instant, required=True, help="last as_of (always replayed)")
    parser.add_argument("--every", type=parse_every, default=timedelta(days=1), help="step: 1d, 12h, ... (default 1d)")
    parser.add_argument("--database", type=Path, help="DuckDB file (default: SEGMENTS_DUCKDB_PATH or segments.duckdb)")
    parser.add_argument("--target-path", type=Path, help="dbt --target-path")
    parser.add_argument("--log-path", type=Path, help="dbt --log-path")
    parser.add_argument("--no-seed", action="store_true", help="the seeds are loaded already: skip `dbt seed`")
    parser.add_argument("--dbt", default=default_dbt(), help="the dbt executable")
    parser.add_argument("--dry-run", action="store_true", help="print the dbt commands, run nothing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        instants = as_of_values(args.start, args.end, args.every)
    except ValueError as error:
        parser.error(str(error))
    steps = plan_steps(instants, load_seeds=not args.no_seed, target_path=args.target_path, log_path=args.log_path)
    if args.dry_run:
        for step in steps:
            print(" ".join([args.dbt, *step.args]))
        return 0
    try:
        seconds = run_steps(steps, args.dbt, dbt_environment(args.database))
    except subprocess.CalledProcessError as error:
        print(f"replay stopped: {' '.join(error.cmd)} exited with {error.returncode}", file=sys.stderr)
        return 1
    print(f"replayed {len(instants)} as_of values from {format_as_of(instants[0])} to "
          f"{format_as_of(instants[-1])} in {seconds:.1f} s ({seconds / len(instants):.1f} s per as_of)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
