"""Every macro of the project is documented: macros/_macros.yml (macros/ and macros/portability/)
and tests/generic/_generic_tests.yml (the generic tests, macros named test_<name>) give each one a
description and each argument a type and a description, in the order and with the names of the
Jinja definition. Reads the manifest of a `dbt parse` (about 15 s)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml
from dbt.parser.schemas import is_valid_type

from conftest import ROOT

PROPERTY_FILES = (ROOT / "macros" / "_macros.yml", ROOT / "tests" / "generic" / "_generic_tests.yml")

# The opening tag of a macro or generic test: its name and its argument list.
DEFINITION = re.compile(r"\{%-?\s*(?:macro|test)\s+(\w+)\s*\((.*?)\)\s*-?%\}", re.DOTALL)
# A materialization: dbt names its macro materialization_<name>_<adapter>; it takes no arguments.
MATERIALIZATION = re.compile(r"\{%-?\s*materialization\s+(\w+)\s*,\s*adapter\s*=\s*'(\w+)'\s*-?%\}")


@pytest.fixture(scope="module")
def project_macros(parsed_manifest: Path) -> dict[str, dict]:
    """The manifest's macros of package segments (the session's `dbt parse`), by name."""
    manifest = json.loads(parsed_manifest.read_text())
    return {
        macro["name"]: macro
        for macro in manifest["macros"].values()
        if macro["package_name"] == "segments"
    }


def signature(macro: dict) -> list[str]:
    """The argument names of a macro's Jinja definition (Jinja's call syntax parses as Python's)."""
    materialization = MATERIALIZATION.search(macro["macro_sql"])
    if materialization and macro["name"] == "materialization_{}_{}".format(*materialization.groups()):
        return []
    match = DEFINITION.search(macro["macro_sql"])
    assert match and match.group(1) in (macro["name"], macro["name"].removeprefix("test_")), macro["name"]
    definition = ast.parse(f"def f({match.group(2)}): pass").body[0]
    return [argument.arg for argument in definition.args.args]


def test_every_macro_has_a_description(project_macros: dict[str, dict]) -> None:
    undocumented = sorted(
        f"{macro['original_file_path']}: {name}"
        for name, macro in project_macros.items()
        if not macro["description"].strip()
    )
    assert not undocumented, "macros without a description in " + " or ".join(
        str(path.relative_to(ROOT)) for path in PROPERTY_FILES
    ) + ":\n" + "\n".join(undocumented)


def test_documented_arguments_match_the_definitions(project_macros: dict[str, dict]) -> None:
    problems = []
    for name, macro in sorted(project_macros.items()):
        documented = [argument["name"] for argument in macro["arguments"]]
        if documented != signature(macro):
            problems.append(f"{name}: documented {documented}, defined {signature(macro)}")
        for argument in macro["arguments"]:
            if not (argument.get("description") or "").strip():
                problems.append(f"{name}.{argument['name']}: no description")
            if not is_valid_type(argument.get("type") or ""):
                problems.append(f"{name}.{argument['name']}: type {argument.get('type')!r} is not a dbt macro type")
    assert not problems, "\n".join(problems)


def test_every_documented_macro_exists(project_macros: dict[str, dict]) -> None:
    documented = [
        entry["name"]
        for path in PROPERTY_FILES
        for entry in yaml.safe_load(path.read_text())["macros"]
    ]
    assert len(documented) == len(set(documented)), "a macro is documented twice"
    assert not set(documented) - set(project_macros), "documented but not defined"
