"""Every dbt unit test pins (`overrides: vars:`) every var its model reads, so a user's `--vars`
(thresholds, as_of, raw_source files or tables) never changes what a unit test computes.

A model reads a var in its own SQL or in a project macro it calls, directly or through other
macros: the calls the manifest records (`depends_on.macros`), every project macro named in the
SQL, and every implementation of an `adapter.dispatch`ed macro (all engines, not only the
target's). The vars of the source definitions (where each raw table is: database, schema, table
name) do not count: a unit test replaces every source() and ref() it reads by its given rows, so
where a source points never reaches it. Reads are found in the text, in every branch, so a var
read only when raw_source is `files` or `tables` still counts. Reads the manifest of a `dbt parse`
(about 15 s); builds nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

# var('name') or var("name"), with or without a default.
VAR_READ = re.compile(r"\bvar\(\s*['\"](\w+)['\"]")
# Any var() call; one whose name is not a literal cannot be checked and is reported.
ANY_VAR_CALL = re.compile(r"(?<![\w.])var\(")
DISPATCH = re.compile(r"adapter\.dispatch\(\s*['\"](\w+)['\"]")
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


def code_without_comments(code: str) -> str:
    return JINJA_COMMENT.sub("", code)


def unliteral_var_calls(code: str) -> int:
    """How many var() calls in `code` do not name their var with a string literal."""
    code = code_without_comments(code)
    return len(ANY_VAR_CALL.findall(code)) - len(VAR_READ.findall(code))


class VarReads:
    """The vars each project model reads, directly or through the project's macros."""

    def __init__(self, manifest: dict) -> None:
        self.macros = {
            unique_id: macro for unique_id, macro in manifest["macros"].items()
            if macro["package_name"] == manifest["metadata"]["project_name"]
        }
        self.by_name = {macro["name"]: unique_id for unique_id, macro in self.macros.items()}
        self.calls = re.compile(r"\b(" + "|".join(map(re.escape, sorted(self.by_name))) + r")\s*\(")
        # Each macro's own reads, then those of the macros it calls until nothing is added
        # (macros may call each other in cycles).
        calls = {unique_id: self.called_macros(macro["macro_sql"], macro["depends_on"]["macros"])
                 for unique_id, macro in self.macros.items()}
        self.of_macro = {unique_id: self.direct(macro["macro_sql"]) for unique_id, macro in self.macros.items()}
        changed = True
        while changed:
            changed = False
            for unique_id, called in calls.items():
                reads = set().union(self.of_macro[unique_id], *(self.of_macro[c] for c in called))
                if reads != self.of_macro[unique_id]:
                    self.of_macro[unique_id] = reads
                    changed = True

    def direct(self, code: str) -> set[str]:
        """The vars `code` reads itself."""
        return set(VAR_READ.findall(code_without_comments(code)))

    def called_macros(self, code: str, recorded: Iterable[str]) -> set[str]:
        """The project macros `code` calls: recorded by dbt, named in the code, or dispatched to."""
        code = code_without_comments(code)
        called = {unique_id for unique_id in recorded if unique_id in self.macros}
        called |= {self.by_name[name] for name in self.calls.findall(code)}
        for dispatched in DISPATCH.findall(code):
            called |= {
                unique_id for name, unique_id in self.by_name.items()
                if name == dispatched or name.endswith("__" + dispatched)
            }
        return called

    def of_model(self, node: dict) -> frozenset[str]:
        code = node["raw_code"]
        reads = self.direct(code)
        for called in self.called_macros(code, node["depends_on"]["macros"]):
            reads |= self.of_macro[called]
        return frozenset(reads)


def unpinned_vars(manifest: dict) -> dict[str, list[str]]:
    """Unit test name (and its YAML file) -> the vars its model reads that the test does not pin."""
    reads = VarReads(manifest)
    missing = {}
    for unit_test in manifest["unit_tests"].values():
        model = manifest["nodes"][unit_test["depends_on"]["nodes"][0]]
        pinned = set(((unit_test.get("overrides") or {}).get("vars") or {}))
        unpinned = sorted(reads.of_model(model) - pinned)
        if unpinned:
            missing[f"{unit_test['original_file_path']}: {unit_test['name']}"] = unpinned
    return missing


@pytest.fixture(scope="module")
def manifest(parsed_manifest: Path) -> dict:
    """The manifest of the session's `dbt parse` with the default vars (conftest.parsed_manifest)."""
    return json.loads(parsed_manifest.read_text())


def test_every_unit_test_pins_the_vars_its_model_reads(manifest: dict) -> None:
    assert manifest["unit_tests"], "the manifest holds no unit test"
    defaults = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]
    missing = unpinned_vars(manifest)
    lines = []
    for test, names in sorted(missing.items()):
        lines.append(f"{test}: add under overrides: vars: (values: the dbt_project.yml defaults)")
        lines += [f"    {name}: {json.dumps(defaults.get(name))}" for name in names]
    assert not missing, f"{len(missing)} unit tests read vars they do not pin:\n" + "\n".join(lines)


def test_every_var_read_names_its_var(manifest: dict) -> None:
    """A var read by a computed name would escape the check above."""
    project = manifest["metadata"]["project_name"]
    sources = [(m["original_file_path"] + ": " + m["name"], m["macro_sql"])
               for m in manifest["macros"].values() if m["package_name"] == project]
    sources += [(n["original_file_path"], n["raw_code"])
                for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    computed = sorted(name for name, code in sources if unliteral_var_calls(code))
    assert not computed, "var() with a computed name (use a literal name):\n" + "\n".join(computed)


def test_the_check_sees_reads_through_macros(manifest: dict) -> None:
    """The transitive reads the check relies on: a base model reads raw_source through raw_table,
    and raw_path only through raw_file_relation's DuckDB and Spark implementations."""
    reads = VarReads(manifest)
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    base_reads = reads.of_model(models["base_shop__customers"])
    assert {"segments__raw_source", "segments__raw_path", "segments__raw_file_format",
            "segments__raw_file_pattern"} <= base_reads
    assert "segments__as_of" in reads.of_model(models["int_as_of"])
