"""`segments`: one command for the project's Python side, one subcommand per tool.

Each subcommand hands the rest of the command line to its module's `main(argv)`, so its options
and help are the module's own. Modules are imported when their subcommand runs: the runtime's
import dbt, plotly or pyspark, which `segments --help` does not need.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from store_segments import __version__


@dataclass(frozen=True)
class Command:
    name: str
    # "package.module:function", the function taking argv and returning an exit code.
    target: str
    summary: str


WINGS: dict[str, tuple[Command, ...]] = {
    "runtime": (
        Command("build", "runtime.build:main",
                "build every model and data test, publish the marts only when all passed (make build)"),
        Command("preview", "runtime.build:preview_main",
                "the same build at a past as_of into a database of its own (make preview)"),
        Command("publish", "runtime.publish:main",
                "publish a built database as a snapshot (make publish TARGET=spark)"),
        Command("report", "runtime.report:main", "the segment report, one HTML page (make report)"),
        Command("export", "runtime.export:main", "the upload file of one audience for one channel (make export)"),
        Command("segment", "runtime.segment:main", "preview one custom segment (make segment)"),
        Command("diff", "runtime.diff:main", "what a change does to the segments before it goes live (make diff)"),
        Command("replay", "runtime.replay:main", "record history at successive as_of values (make replay)"),
        Command("query", "runtime.query:main", "read a built database or a published snapshot from the shell"),
    ),
    "bench": (
        Command("benchmark", "bench.benchmark:main", "benchmark the project on generated data"),
        Command("floor", "bench.floor:main", "the benchmark's floor: customer_facts' core by hand, in DuckDB"),
        Command("model-alone", "bench.model_alone:main", "run some models' compiled SQL alone under a memory cap"),
        Command("engine-parity", "bench.engine_parity:main", "compare a DuckDB and a Spark build row for row"),
        Command("spark-cluster", "bench.spark_cluster:main",
                "a Spark cluster on loopback for the spark_cluster target (make test-spark-cluster)"),
        Command("check-coverage", "bench.check_coverage:main",
                "the model checks dbt-coverage has no threshold for (make coverage)"),
        Command("btyd-benchmark", "bench.btyd_benchmark:main", "time the BTYD fits and predictions"),
    ),
    "generators": (
        Command("generate-data", "generators.generate_data:main", "the raw tables at any size, as Parquet"),
        Command("generate-demo-data", "generators.generate_demo_data:main",
                "rewrite the demo seeds, deterministically (make seeds)"),
    ),
}
COMMANDS: dict[str, Command] = {command.name: command for wing in WINGS.values() for command in wing}


def listing() -> str:
    """The subcommands grouped by wing, for `segments --help`."""
    width = max(len(name) for name in COMMANDS) + 2
    lines = []
    for wing, commands in WINGS.items():
        lines.append(f"{wing}:")
        lines += [f"  {command.name.ljust(width)}{command.summary}" for command in commands]
        lines.append("")
    lines.append("`segments <command> --help` shows a command's options.")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    found = argparse.ArgumentParser(
        prog="segments", description=(__doc__ or "").splitlines()[0], epilog=listing(),
        formatter_class=argparse.RawDescriptionHelpFormatter, usage="segments [-h] [--version] <command> ...")
    found.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = found.add_subparsers(dest="command", metavar="<command>", required=True, help=argparse.SUPPRESS)
    for command in COMMANDS.values():
        # The command's own parser reads its arguments; this one only picks the command.
        commands.add_parser(command.name, add_help=False)
    return found


def entry_point(command: Command) -> Callable[[list[str]], int | None]:
    module, function = command.target.split(":")
    return getattr(importlib.import_module(f"store_segments.{module}"), function)


@contextlib.contextmanager
def program_name(name: str) -> Iterator[None]:
    """argparse names a program after sys.argv[0]: the subcommand's usage reads `segments <name>`."""
    saved = sys.argv[0] if sys.argv else ""
    if sys.argv:
        sys.argv[0] = f"segments {name}"
    else:
        sys.argv.append(f"segments {name}")
    try:
        yield
    finally:
        sys.argv[0] = saved


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Only the first word is this parser's: the rest, options and `--` included, is the command's.
    chosen = parser().parse_args(arguments[:1])
    command = COMMANDS[chosen.command]
    with program_name(command.name):
        code = entry_point(command)(arguments[1:])
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
