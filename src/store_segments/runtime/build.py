"""The production run: build every model, run every data test, publish only what passed.

`make build` (the command a store schedules) runs this. In one dbt process (one parse):

1. A build that was interrupted before (its state file is still there) is taken back first.
2. A user-set as_of earlier than the served snapshot's stops here: looking back is `make preview`.
3. The latest point of each history model is backed up (macro backup_history_points), and a
   first build records the week before its as_of in the history models (store_segments/runtime/replay.py).
4. `dbt build` with every seed, model and data test; unit tests are left to `make test`, as dbt
   recommends for production runs.
5. Only when every model and every error-severity test passed, and as_of did not go back, the
   marts are published (store_segments/runtime/publish.py) and the history points kept. Otherwise nothing is
   published, the served snapshot stays the last good one, what the build wrote into the
   history models is taken back (macro restore_history_points), each failed test is printed
   with its model and message, and the command exits 1.

Every build writes a status record beside the snapshots, `<published>/builds/<started>.json`,
and the latest one again as `<published>/last_build.json`, for a scheduler or an alert to read.

With `--publish-only` (`make publish`) nothing is built: the data tests run on what the last
build left in the work database, and it is published only when they pass.

With `--preview AS_OF` the same build runs at a past instant into a database of its own
(`<preview-dir>/<as_of>.duckdb`): a first build there, so the history models hold the backfilled
week before that instant. It publishes nothing and records nothing in the work database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from store_segments.runtime import build_summary, publish, replay
from store_segments.dbt_door import REPO_ROOT, DbtSession, as_naive_utc, set_environment, work_database

STATUS_DIR = "builds"
LAST_STATUS = "last_build.json"
# Left by a build while it may have written history it has not kept yet.
STATE_FILE = "build_in_progress.json"
FAILED_TEST_STATUSES = ("fail", "error")
FAILED_MODEL_STATUSES = ("error",)


@dataclass
class Problem:
    """A test or model that failed or warned, as dbt reported it."""

    node: str
    resource_type: str
    model: str | None
    status: str
    message: str
    failures: int | None
    path: str


@dataclass
class BuildStatus:
    """The status record a scheduler reads: what was built, whether it was published, and why not."""

    status: str = "running"
    started_at: str = ""
    finished_at: str | None = None
    seconds: float | None = None
    as_of: str | None = None
    served_as_of_before: str | None = None
    published_snapshot: str | None = None
    served_snapshot: str | None = None
    git_commit: str | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    failed: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: int = 0
    quarantined_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    history: str = "untouched"


def now_utc() -> datetime:
    return datetime.now(UTC)


def attached_model(node: Any) -> str | None:
    """The model a test checks (its attached node, else the first model it depends on)."""
    attached = getattr(node, "attached_node", None)
    candidates = [attached] if attached else list(getattr(getattr(node, "depends_on", None), "nodes", []) or [])
    for unique_id in candidates:
        if unique_id and unique_id.split(".")[0] in ("model", "seed", "snapshot"):
            return unique_id.split(".")[-1]
    return None


def problems_of(results: Any) -> tuple[list[Problem], list[Problem], int]:
    """Failed nodes, warned tests and the count of skipped nodes of a dbt build result."""
    failed: list[Problem] = []
    warned: list[Problem] = []
    skipped = 0
    for result in getattr(results, "results", None) or []:
        node = result.node
        status = str(getattr(result.status, "value", result.status))
        problem = Problem(
            node=node.name, resource_type=str(getattr(node.resource_type, "value", node.resource_type)),
            model=attached_model(node) if node.resource_type in ("test", "unit_test") else node.name,
            status=status, message=(result.message or "").strip(),
            failures=result.failures, path=str(getattr(node, "original_file_path", "")),
        )
        if status == "skipped":
            skipped += 1
        elif status == "warn":
            warned.append(problem)
        elif status in FAILED_TEST_STATUSES + FAILED_MODEL_STATUSES:
            failed.append(problem)
    return failed, warned, skipped


def parse_as_of(value: Any) -> datetime | None:
    """The as_of var's value as a naive UTC datetime (None when unset)."""
    if value is None or value == "" or isinstance(value, datetime):
        return as_naive_utc(value)
    return replay.parse_instant(str(value))


def quarantined_counts(session: DbtSession) -> dict[str, dict[str, int]]:
    """Raw rows kept out per raw table and reason, from the audit model (empty when not built)."""
    sql = ("{%- set relation = load_relation(ref('quarantined_rows')) -%}"
           "{%- if relation is none -%} select 'none' as source_table, 'none' as quarantine_reason, 0 as row_count "
           "where 1 = 0 {%- else -%} select source_table, quarantine_reason, count(*) as row_count "
           "from {{ relation }} group by 1, 2 order by 1, 2 {%- endif %}")
    counts: dict[str, dict[str, int]] = {}
    try:
        rows = session.query_rows(sql, limit=10000)
    except RuntimeError:
        return counts
    for table, reason, count in rows:
        counts.setdefault(str(table), {})[str(reason)] = int(count)
    return counts


def build_as_of(session: DbtSession) -> datetime | None:
    """The as_of the build measured at (None when a failed build left no int_as_of)."""
    try:
        return session.as_of()
    except RuntimeError:
        return None


def format_problem(problem: Problem) -> str:
    kind = "test" if problem.resource_type == "test" else problem.resource_type
    on = f" on {problem.model}" if problem.model and problem.model != problem.node else ""
    first_line = problem.message.splitlines()[0] if problem.message else ""
    return f"  {problem.status.upper():5} {kind} {problem.node}{on}: {first_line} ({problem.path})"


def write_status(published_dir: Path, status: BuildStatus) -> Path:
    """The status record under <published>/builds/, and again as <published>/last_build.json."""
    folder = published_dir / STATUS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    started = datetime.fromisoformat(status.started_at).strftime("%Y%m%dT%H%M%SZ")
    record = folder / f"{started}-{uuid.uuid4().hex[:6]}.json"
    text = json.dumps(asdict(status), indent=2, default=str) + "\n"
    record.write_text(text)
    temporary = published_dir / f".{LAST_STATUS}.{uuid.uuid4().hex}.tmp"
    temporary.write_text(text)
    os.replace(temporary, published_dir / LAST_STATUS)
    return record


class HistoryGuard:
    """Backs up the history models before a build and takes back what a failed build wrote.

    The state file records what the build may have written, so that a build interrupted before it
    could take anything back is taken back by the next one."""

    def __init__(self, session: DbtSession, state_file: Path) -> None:
        self.session = session
        self.state_file = state_file
        self.models = replay.history_model_names(session)

    def recover(self) -> bool:
        """Take back an interrupted build's history writes; True when there was one."""
        if not self.state_file.exists():
            return False
        state = json.loads(self.state_file.read_text())
        self.session.run_operation("restore_history_points", {
            "model_names": state["models"], "emptied": state["emptied"]})
        self.state_file.unlink()
        return True

    def begin(self) -> None:
        emptied = [model for model in self.models if replay.recorded_history_rows(self.session, model) == 0]
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps({"models": self.models, "emptied": emptied}))
        self.session.run_operation("backup_history_points", {"model_names": self.models})

    def take_back(self) -> None:
        state = json.loads(self.state_file.read_text())
        self.session.run_operation("restore_history_points", {
            "model_names": self.models, "emptied": state["emptied"]})
        self.state_file.unlink()

    def keep(self) -> None:
        self.session.run_operation("drop_history_backups", {"model_names": self.models})
        self.state_file.unlink()


def run_build(
    database: Path, published_dir: Path, build_vars: dict[str, Any], target_path: Path | None = None,
    mode: str = "build",
) -> tuple[int, BuildStatus]:
    """The production run. `mode` "preview": a build at a past as_of that publishes nothing;
    "publish": no build, the data tests of what the last build left, then its publish."""
    started = time.monotonic()
    preview = mode == "preview"
    status = BuildStatus(started_at=now_utc().isoformat(), vars=build_vars,
                         git_commit=publish.git_commit(REPO_ROOT))
    set_environment(database)
    common = replay.common_arguments(target_path)
    session = DbtSession(REPO_ROOT, common, build_vars)
    guard = HistoryGuard(session, (target_path or REPO_ROOT / "target") / STATE_FILE)
    if guard.recover():
        print("An earlier build was interrupted: the history points it wrote were taken back.")
    before = None if preview else publish.served_as_of(published_dir)
    status.served_as_of_before = before.isoformat() if before else None
    requested = parse_as_of(session.var("segments__as_of"))
    if mode == "build" and before is not None and requested is not None and requested < before:
        status.status = "stopped"
        status.as_of = requested.isoformat()
        status.message = (
            f"as_of {requested} is before the served snapshot's {before}: `make build` publishes only forward, "
            f"so nothing was built, published or recorded. To look back: make preview AS_OF=\"{requested}\"")
        return finish(1, status, published_dir, started, preview)

    if mode != "publish":
        guard.begin()
    try:
        if mode == "publish":
            result = session.invoke_result(["test", "--exclude-resource-type", "unit_test", *common, *session.vars_args])
        else:
            replay.backfill(session, build_vars)
            result = session.invoke_result(["build", "--exclude-resource-type", "unit_test", *common, *session.vars_args])
        status.failed, status.warnings, status.skipped = problems_of(result.result)
        as_of = build_as_of(session)
        status.as_of = as_of.isoformat() if as_of else None
        status.quarantined_rows = quarantined_counts(session)
        if not result.success:
            status.status = "failed"
            reason = f"{len(status.failed)} failed" if status.failed else str(result.exception or "dbt failed")
            status.message = f"dbt {'test' if mode == 'publish' else 'build'}: {reason}; nothing published"
        elif before is not None and as_of is not None and as_of < before:
            status.status = "stopped"
            status.message = (f"as_of {as_of} is before the served snapshot's {before}: nothing published. "
                              f"To look back: make preview AS_OF=\"{as_of}\"")
        elif preview:
            status.status = "previewed"
            status.message = f"built at as_of {as_of} into {database}; nothing published"
        else:
            resolved_vars = session.settings.vars
            session.release_database()
            snapshot = publish.publish(database, published_dir, int(resolved_vars[publish.KEEP_VAR]),
                                       resolved_vars=resolved_vars, as_of=as_of, project_dir=REPO_ROOT)
            status.status = "published"
            status.published_snapshot = snapshot.snapshot_id
            status.message = (f"published {snapshot.snapshot_id} ({len(snapshot.manifest['row_counts'])} tables, "
                              f"{snapshot.manifest['publish_seconds']} s)")
    except BaseException as error:
        if mode != "publish":
            guard.take_back()
            status.history = "taken back"
        session.release_database()
        status.status = "error"
        status.message = f"{type(error).__name__}: {error}"
        finish(1, status, published_dir, started, preview)
        raise
    code = 0 if status.status in ("published", "previewed") else 1
    if mode != "publish":
        if code == 0:
            guard.keep()
            status.history = "recorded"
        else:
            guard.take_back()
            status.history = "taken back"
    session.release_database()
    return finish(code, status, published_dir, started, preview)


def finish(code: int, status: BuildStatus, published_dir: Path, started: float, preview: bool) -> tuple[int, BuildStatus]:
    status.finished_at = now_utc().isoformat()
    status.seconds = round(time.monotonic() - started, 1)
    if not preview:
        status.served_snapshot = publish.served_id(published_dir)
        write_status(published_dir, status)
    return code, status


def report(status: BuildStatus, database: Path, published_dir: Path) -> str:
    """What the build prints after dbt's own log."""
    lines: list[str] = [""]
    if status.status in ("published", "previewed"):
        lines += [build_summary.format_summary(build_summary.read_summary(database)), ""]
    if status.warnings:
        lines += [f"Warnings ({len(status.warnings)}): the build passed, but look at these:"]
        lines += [format_problem(problem) for problem in status.warnings]
        lines.append("")
    if status.failed:
        lines += [f"Failed ({len(status.failed)}):"]
        lines += [format_problem(problem) for problem in status.failed]
        lines.append("")
    if status.status == "published":
        lines.append(f"Build passed and {status.message}.")
        lines.append(f"  BI tools read {published_dir / publish.SERVED_NAME} (as_of {status.as_of}).")
        lines.append(f"  query:  .venv/bin/segments query {published_dir / publish.SERVED_NAME}")
    elif status.status == "previewed":
        lines.append(f"Preview {status.message}.")
    else:
        served = status.served_snapshot or "none"
        kept_out = sum(sum(reasons.values()) for reasons in status.quarantined_rows.values())
        if kept_out:
            lines.append(f"Raw rows kept out of the facts: {kept_out} (per table and reason in the status record).")
        lines.append(f"Build {status.status}: {status.message}.")
        lines.append(f"  BI tools still read the last good snapshot: {served} (as_of {status.served_as_of_before}).")
    if status.status != "previewed":
        lines.append(f"  Status record: {published_dir / LAST_STATUS}")
    return "\n".join(lines)


def preview_database(preview_dir: Path, as_of: datetime) -> Path:
    return preview_dir / f"{as_of.strftime('%Y%m%dT%H%M%S')}.duckdb"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", type=Path,
                        help="the work database (default: the profile's, $SEGMENTS_DUCKDB_PATH else segments.duckdb)")
    parser.add_argument("--published-dir", type=Path, default=REPO_ROOT / "published")
    parser.add_argument("--vars", default="", help="vars of the build (YAML), as for dbt --vars")
    parser.add_argument("--target-path", type=Path, help="dbt --target-path")
    parser.add_argument("--preview", type=replay.parse_instant, metavar="AS_OF",
                        help="build at this past as_of into a database of its own; publish nothing")
    parser.add_argument("--preview-dir", type=Path, default=REPO_ROOT / "previews")
    parser.add_argument("--publish-only", action="store_true",
                        help="build nothing: run the data tests on what the last build left, publish it if they pass")
    args = parser.parse_args(argv)
    build_vars = dict(yaml.safe_load(args.vars) or {}) if args.vars.strip() else {}
    database, target_path = args.database or work_database(), args.target_path
    if args.preview is not None:
        build_vars["segments__as_of"] = replay.format_as_of(args.preview)
        database = preview_database(args.preview_dir, args.preview)
        target_path = target_path or args.preview_dir / "target"
        args.preview_dir.mkdir(parents=True, exist_ok=True)
        for stale in (database, database.with_name(database.name + ".wal")):
            stale.unlink(missing_ok=True)
    mode = "preview" if args.preview is not None else "publish" if args.publish_only else "build"
    code, status = run_build(database.resolve(), args.published_dir.resolve(), build_vars, target_path, mode)
    print(report(status, database, args.published_dir))
    if args.preview is not None and code == 0:
        print(f"  query:  .venv/bin/segments query {database} "
              "\"select primary_persona, count(*) from customer_personas group by 1\"")
    return code


def preview_main(argv: list[str] | None = None) -> int:
    """`segments preview AS_OF`: the build at a past instant (main's --preview), nothing published."""
    parser = argparse.ArgumentParser(description="Build at a past as_of into a database of its own "
                                                 "(<preview-dir>/<as_of>.duckdb); publish nothing.")
    parser.add_argument("as_of", help="the past instant (ISO date or timestamp, UTC)")
    parser.add_argument("--preview-dir", type=Path, default=REPO_ROOT / "previews")
    parser.add_argument("--vars", default="", help="vars of the build (YAML), as for dbt --vars")
    parser.add_argument("--target-path", type=Path, help="dbt --target-path (default: <preview-dir>/target)")
    args = parser.parse_args(argv)
    forwarded = ["--preview", args.as_of, "--preview-dir", str(args.preview_dir), "--vars", args.vars]
    return main(forwarded + (["--target-path", str(args.target_path)] if args.target_path else []))


if __name__ == "__main__":
    sys.exit(main())
