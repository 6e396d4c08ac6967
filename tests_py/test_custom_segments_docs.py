"""Every example of docs/custom_segments.md works as written: the `yaml` examples are compiled and
built together in one dbt run (on a copy of the session's built database, so the SQL runs on real
tables), they cover every kind of condition, and the example marked as failing fails `dbt parse`
with the message the page shows.

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

import pytest
import yaml

from tests_py.conftest import DBT, ROOT, dbt_env
from tests_py.test_custom_segments import EVERY_CONDITION_KIND, condition_kinds

DOC = ROOT / "docs" / "custom_segments.md"
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


def test_every_marker_is_known_and_on_a_yaml_example() -> None:
    for block in BLOCKS:
        if block.marker is not None:
            assert block.language == "yaml", f"line {block.line}: a marker on a {block.language or 'plain'} fence"
            assert block.marker == FAILS or block.marker.startswith(NOT_A_DEFINITION), (
                f"line {block.line}: unknown marker {block.marker!r}")
    assert FAILING, "the Errors section has no failing example"


def test_the_examples_cover_every_condition_kind() -> None:
    definitions = [definition for block in COMPILED for definition in as_definitions(block)]
    found = condition_kinds(definitions)
    assert EVERY_CONDITION_KIND <= found, sorted(EVERY_CONDITION_KIND - found)


def test_every_example_compiles_and_builds(built_database: Path, tmp_path: Path) -> None:
    """All examples as one --vars list, in one `dbt run` of the two custom segment models on a
    copy of the built database: each one compiles to SQL that runs."""
    definitions = [definition for block in COMPILED for definition in as_definitions(block)]
    names = [definition["name"] for definition in definitions]
    assert len(names) == len(set(names)), "two examples share a name"
    database = tmp_path / "segments.duckdb"
    shutil.copy(built_database, database)
    result = subprocess.run(
        [str(DBT), "run", "--select", "int_custom_segment_activity", "custom_segment_members",
         "--vars", yaml.safe_dump({"custom_segments": definitions}, default_flow_style=True),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=ROOT, env=dbt_env(database), capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    compiled = next((tmp_path / "target" / "run").rglob("custom_segment_members.sql")).read_text()
    missing = [name for name in names if f"is_in_{name}" not in compiled]
    assert not missing, missing


@pytest.mark.parametrize("example", FAILING, ids=lambda example: f"line {example.line}")
def test_a_failing_example_fails_with_its_documented_message(example: Example, tmp_path: Path) -> None:
    following = [block for block in BLOCKS if block.line > example.line]
    assert following and following[0].language == "text", (
        f"line {example.line}: the message a failing example gives is the next fence, a text one")
    result = subprocess.run(
        [str(DBT), "parse", "--vars", yaml.safe_dump({"custom_segments": yaml.safe_load(example.text)}),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=ROOT, env=dbt_env(tmp_path / "parse.duckdb"), capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0, f"line {example.line}: the example parses"
    output = result.stdout + result.stderr
    missing = [line.strip() for line in following[0].text.splitlines() if line.strip() not in output]
    assert not missing, "\n".join(["not in the output:", *missing, "output:", output[-4000:]])
