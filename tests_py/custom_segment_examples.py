"""The custom segment definitions that tests build besides the demo's: every `yaml` example of
docs/custom_segments.md and the benchmark's twenty segments (src/store_segments/bench/benchmark_custom_segments.yml),
and their one build (the session fixture custom_segment_examples_build in conftest.py), which
test_custom_segments_docs.py and test_custom_segments_independent.py share.

A `yaml` fence is a list of definitions (items with a name) or a list of conditions, each built as
a segment of its own. A comment on the line before a fence says what else it is:
`<!-- example: not a definition; why -->` (not compiled) or `<!-- example: fails with the message
below -->` (the next `text` fence is the expected output, every line of it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests_py.conftest import DBT, ROOT, dbt_env

DOC = ROOT / "docs" / "custom_segments.md"
BENCHMARK_SEGMENTS = ROOT / "src" / "store_segments" / "bench" / "benchmark_custom_segments.yml"
FENCE = re.compile(r"^```(\w*)\s*$")
MARKER = re.compile(r"^<!-- example: (.+) -->$")
NOT_A_DEFINITION = "not a definition; "
FAILS = "fails with the message below"


@dataclass
class Example:
    line: int
    language: str
    text: str
    marker: str | None


def fenced_blocks(text: str) -> list[Example]:
    """Every fenced block of the page, with its language and the marker on the line before it."""
    blocks: list[Example] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        previous = lines[index - 1].strip() if index else ""
        marker = MARKER.match(previous)
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        blocks.append(Example(index + 1, opening.group(1), "\n".join(lines[index + 1:end]),
                              marker.group(1) if marker else None))
        index = end + 1
    return blocks


def as_definitions(example: Example) -> list[dict[str, Any]]:
    """A yaml example as segment definitions: its own, or one per condition it lists."""
    items = yaml.safe_load(example.text)
    assert isinstance(items, list) and items, f"line {example.line}: a yaml example is a non-empty list"
    if all(isinstance(item, dict) and "name" in item for item in items):
        return items
    return [{"name": f"docs_example_{example.line}_{position}", "description": f"docs line {example.line}",
             "owner": "docs", "condition": condition} for position, condition in enumerate(items)]


BLOCKS = fenced_blocks(DOC.read_text())
YAML = [block for block in BLOCKS if block.language == "yaml"]
COMPILED = [block for block in YAML if block.marker is None]
FAILING = [block for block in YAML if block.marker == FAILS]


def example_definitions() -> list[dict[str, Any]]:
    """The documented examples' definitions, then the benchmark's."""
    documented = [definition for block in COMPILED for definition in as_definitions(block)]
    return documented + yaml.safe_load(BENCHMARK_SEGMENTS.read_text())["segments__custom_segments"]


@dataclass
class ExamplesBuild:
    database: Path
    result: subprocess.CompletedProcess[str]
    compiled_members: str


def build_examples(built_database: Path, work: Path) -> ExamplesBuild:
    """example_definitions() as one --vars list, built in one `dbt run` of the two custom segment
    models on a copy of `built_database` in `work` (the original stays as it was)."""
    database = work / "segments.duckdb"
    shutil.copy(built_database, database)
    result = subprocess.run(
        [str(DBT), "run", "--select", "int_custom_segment_activity", "custom_segment_members",
         "--vars", yaml.safe_dump({"segments__custom_segments": example_definitions()}, default_flow_style=True),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=ROOT, env=dbt_env(database), capture_output=True, text=True, check=False,
    )
    compiled = next((work / "target" / "run").rglob("custom_segment_members.sql"), None)
    return ExamplesBuild(database, result, compiled.read_text() if compiled else "")
