"""Tests of src/store_segments/bench/check_coverage.py: a model needs a description and a test dbt-coverage counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from store_segments.bench import check_coverage


def model(name: str, description: str, path: str = "models/marts") -> dict[str, Any]:
    """A manifest node of a model in schema main."""
    return {"resource_type": "model", "schema": "main", "name": name, "description": description,
            "original_file_path": f"{path}/{name}.sql"}


def report(**hits: int) -> dict[str, Any]:
    """A dbt-coverage report with the given test count per model of schema main."""
    return {"tables": [{"name": f"main.{name}", "hits": count} for name, count in hits.items()]}


MANIFEST: dict[str, Any] = {"nodes": {
    "model.p.column_tested": model("column_tested", "One row per customer."),
    "model.p.unit_tested": model("unit_tested", "One row per order."),
    "model.p.untested": model("untested", "One row per day."),
    "model.p.undescribed": model("undescribed", " "),
    "model.p.package_model": model("package_model", "", path="dbt_packages/x/models"),
    "seed.p.raw": {"resource_type": "seed", "schema": "main", "name": "raw", "description": "",
                   "original_file_path": "seeds/raw.csv"},
}}
TESTS = report(column_tested=2, unit_tested=0, untested=0, undescribed=1)
UNIT_TESTS = report(column_tested=0, unit_tested=1, untested=0, undescribed=0)


def test_flags_a_model_without_description_or_any_counted_test() -> None:
    assert check_coverage.problems(MANIFEST, TESTS, UNIT_TESTS) == [
        "main.undescribed: no description",
        "main.untested: no test (neither a column data test nor a unit test)",
    ]


def test_a_model_missing_from_the_reports_counts_as_untested() -> None:
    assert check_coverage.problems(MANIFEST, report(), report()) == [
        "main.column_tested: no test (neither a column data test nor a unit test)",
        "main.undescribed: no description",
        "main.undescribed: no test (neither a column data test nor a unit test)",
        "main.unit_tested: no test (neither a column data test nor a unit test)",
        "main.untested: no test (neither a column data test nor a unit test)",
    ]


def test_exit_code_is_1_with_problems_and_0_without(tmp_path: Path) -> None:
    paths = []
    for name, content in (("manifest", MANIFEST), ("test", TESTS), ("unit", UNIT_TESTS)):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(content))
    assert check_coverage.main([str(p) for p in paths]) == 1

    fixed = {"nodes": {k: v for k, v in MANIFEST["nodes"].items()
                       if k not in ("model.p.untested", "model.p.undescribed")}}
    paths[0].write_text(json.dumps(fixed))
    assert check_coverage.main([str(p) for p in paths]) == 0
