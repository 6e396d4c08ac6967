"""Every example of docs/custom_segments.md works as written: the `yaml` examples are compiled and
built together in one dbt run (on a copy of the session's built database, so the SQL runs on real
tables; tests_py/custom_segment_examples.py, which also says how a fence is marked), they cover
every kind of condition, and the example marked as failing fails `dbt parse` with the message the
page shows. The same run builds the benchmark's twenty segments, which
test_custom_segments_independent.py re-derives in Python.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests_py.conftest import DBT, ROOT, dbt_env
from tests_py.custom_segment_examples import (
    BLOCKS, COMPILED, FAILING, FAILS, NOT_A_DEFINITION, Example, ExamplesBuild, as_definitions, example_definitions,
)
from tests_py.test_custom_segments import EVERY_CONDITION_KIND, condition_kinds


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


def test_every_example_compiles_and_builds(custom_segment_examples_build: ExamplesBuild) -> None:
    """Each documented example and benchmark segment compiles to SQL that runs."""
    names = [definition["name"] for definition in example_definitions()]
    assert len(names) == len(set(names)), "two examples share a name"
    build = custom_segment_examples_build
    assert build.result.returncode == 0, build.result.stdout[-6000:]
    missing = [name for name in names if f"is_in_{name}" not in build.compiled_members]
    assert not missing, missing


@pytest.mark.parametrize("example", FAILING, ids=lambda example: f"line {example.line}")
def test_a_failing_example_fails_with_its_documented_message(example: Example, tmp_path: Path) -> None:
    following = [block for block in BLOCKS if block.line > example.line]
    assert following and following[0].language == "text", (
        f"line {example.line}: the message a failing example gives is the next fence, a text one")
    result = subprocess.run(
        [str(DBT), "parse", "--vars", yaml.safe_dump({"segments__custom_segments": yaml.safe_load(example.text)}),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=ROOT, env=dbt_env(tmp_path / "parse.duckdb"), capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0, f"line {example.line}: the example parses"
    output = result.stdout + result.stderr
    missing = [line.strip() for line in following[0].text.splitlines() if line.strip() not in output]
    assert not missing, "\n".join(["not in the output:", *missing, "output:", output[-4000:]])
