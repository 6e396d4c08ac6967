"""The `segments` command: its help lists every subcommand by wing, each subcommand's help names
its options, and every option the Makefile passes a subcommand is one it has.

The helps run in this process (`cli.main([..., "--help"])`, argparse exits 0); one test runs the
installed executable next to this Python (else `python -m store_segments.cli`), as make does."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from store_segments import __version__, cli

WINGS = {
    "runtime": ["build", "preview", "publish", "report", "export", "segment", "diff", "replay", "query"],
    "bench": ["benchmark", "floor", "model-alone", "engine-parity", "spark-cluster", "check-coverage",
              "btyd-benchmark"],
    "generators": ["generate-data", "generate-demo-data"],
}
# One option or argument each subcommand's help must name: what the command is for.
OPTIONS = {
    "build": ["--published-dir", "--publish-only", "--vars"],
    "preview": ["as_of", "--preview-dir", "--vars"],
    "publish": ["--published-dir", "--target"],
    "report": ["--database", "--where"],
    "export": ["audience", "--channel", "--family"],
    "segment": ["name", "--as-of", "--database"],
    "diff": ["--base", "--fail-above", "--change-vars"],
    "replay": ["--start", "--end", "--every", "--backfill"],
    "query": ["database", "sql"],
    "benchmark": ["--scale", "--custom-segments"],
    "floor": ["--data-dir", "--seeds", "--compare"],
    "model-alone": ["models", "--database", "--memory-limit"],
    "engine-parity": ["--duckdb", "--spark-warehouse"],
    "spark-cluster": ["{run,serve}", "--thrift-port"],
    "check-coverage": ["manifest", "test_report", "unit_test_report"],
    "btyd-benchmark": ["database"],
    "generate-data": ["--customers", "--scale", "--out"],
    "generate-demo-data": ["--out"],
}
SUBCOMMANDS = [name for names in WINGS.values() for name in names]


def run_main(arguments: list[str]) -> tuple[int, str]:
    """cli.main in this process: its exit code and what it printed (stdout and stderr)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            code = cli.main(arguments)
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, printed.getvalue()


def test_the_tables_of_this_test_name_every_subcommand_once() -> None:
    assert sorted(SUBCOMMANDS) == sorted(OPTIONS) and len(set(SUBCOMMANDS)) == len(SUBCOMMANDS)


def test_help_lists_every_subcommand_under_its_wing() -> None:
    code, text = run_main(["--help"])
    assert code == 0
    assert text.startswith("usage: segments")
    sections = re.split(r"^(\w+):$", text, flags=re.MULTILINE)
    listed = {sections[i]: re.findall(r"^  (\S+)\s", sections[i + 1], flags=re.MULTILINE)
              for i in range(1, len(sections) - 1, 2)}
    assert {wing: names for wing, names in listed.items() if wing != "options"} == WINGS


def test_one_version_in_the_package_the_dbt_projects_and_the_changelog() -> None:
    code, text = run_main(["--version"])
    assert (code, text.strip()) == (0, f"segments {__version__}")
    assert re.search(r'^version = "(.+)"$', (ROOT / "pyproject.toml").read_text(), re.MULTILINE).group(1) == __version__
    assert yaml.safe_load((ROOT / "dbt_project.yml").read_text())["version"] == __version__
    assert yaml.safe_load((ROOT / "integration_tests" / "dbt_project.yml").read_text())["version"] == __version__
    # The changelog's newest released section is this version (an Unreleased section above it).
    released = re.findall(r"^## (\d+\.\d+\.\d+) \(\d{4}-\d{2}-\d{2}\)$", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert released and released[0] == __version__, released


def test_an_unknown_or_missing_subcommand_is_a_usage_error() -> None:
    code, text = run_main(["no-such-command"])
    assert code == 2 and "invalid choice: 'no-such-command'" in text
    code, text = run_main([])
    assert code == 2 and "required: <command>" in text


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_each_subcommand_has_help_naming_its_options(name: str) -> None:
    code, text = run_main([name, "--help"])
    assert code == 0, text
    assert text.startswith(f"usage: segments {name} "), text[:200]
    missing = [option for option in OPTIONS[name] if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text)]
    assert missing == [], f"segments {name} --help does not name {missing}:\n{text}"


def makefile_calls() -> list[tuple[str, list[str]]]:
    """(subcommand, its --options) of every `segments <subcommand> ...` line of the Makefile,
    continuation lines joined."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    return [(match.group(1), re.findall(r"(?<![\w-])(--[a-z][\w-]*)", match.group(2)))
            for match in re.finditer(r"\$\((?:SPARK_)?BIN\)/segments ([\w-]+)(.*)$", text, re.MULTILINE)]


def test_the_makefile_calls_subcommands_with_options_they_have() -> None:
    calls = makefile_calls()
    assert {name for name, _ in calls} >= {"build", "preview", "publish", "report", "export", "segment", "diff",
                                           "replay", "check-coverage", "spark-cluster", "generate-demo-data"}
    helps = {name: run_main([name, "--help"])[1] for name in {name for name, _ in calls}}
    unknown = {(name, option) for name, options in calls for option in options
               # spark-cluster runs a command after `--`: its options are that command's.
               if not (name == "spark-cluster" and option not in ("--dir", "--thrift-port"))
               and not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", helps[name])}
    assert unknown == set()


def test_the_command_runs_as_make_runs_it() -> None:
    installed = Path(sys.executable).with_name("segments")
    command = [str(installed)] if installed.exists() else [sys.executable, "-m", "store_segments.cli"]
    result = subprocess.run([*command, "--help"], capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert all(name in result.stdout for name in SUBCOMMANDS)


def test_preview_is_the_build_at_a_past_as_of(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from store_segments.runtime import build

    received: list[list[str]] = []
    monkeypatch.setattr(build, "main", lambda argv: received.append(list(argv)) or 0)
    code, _ = run_main(["preview", "2026-06-01", "--preview-dir", str(tmp_path), "--vars", "{a: 1}"])
    assert code == 0
    assert received == [["--preview", "2026-06-01", "--preview-dir", str(tmp_path), "--vars", "{a: 1}"]]
