"""The model checks dbt-coverage has no threshold for, run by `make coverage` after its reports.

Run ``segments check-coverage MANIFEST TEST_REPORT UNIT_TEST_REPORT``: the dbt manifest
and the JSON reports of ``dbt-coverage compute test`` and ``compute unit-test``. It fails (exit
1, one line per model) when a model has no description, or when dbt-coverage counts no test of
it: neither a data test on one of its columns nor a unit test. (dbt-coverage only counts data
tests with a column, so a model whose only data tests are model-level, such as an
expression_is_true, needs a unit test or a column test to pass.) Column descriptions are checked
by ``dbt-coverage compute doc --cov-fail-under``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Sequence


def model_descriptions(manifest: dict[str, Any]) -> dict[str, str]:
    """``schema.name`` -> description of every model under models/, as dbt-coverage names them."""
    return {
        f"{node['schema']}.{node['name']}".lower(): (node.get("description") or "").strip()
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/")
    }


def tests_per_model(report: dict[str, Any]) -> dict[str, int]:
    """``schema.name`` -> the number of tests a dbt-coverage report counts for the model."""
    return {table["name"].lower(): int(table["hits"]) for table in report["tables"]}


def problems(manifest: dict[str, Any], test_report: dict[str, Any],
             unit_test_report: dict[str, Any]) -> list[str]:
    """One line per model without a description or without any test dbt-coverage counts."""
    descriptions = model_descriptions(manifest)
    data_tests = tests_per_model(test_report)
    unit_tests = tests_per_model(unit_test_report)
    found: list[str] = []
    for model in sorted(descriptions):
        if not descriptions[model]:
            found.append(f"{model}: no description")
        if data_tests.get(model, 0) == 0 and unit_tests.get(model, 0) == 0:
            found.append(f"{model}: no test (neither a column data test nor a unit test)")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Print the problems and return 1 when there are any."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("manifest", type=Path, help="target/manifest.json of `dbt parse`")
    parser.add_argument("test_report", type=Path, help="the JSON report of `dbt-coverage compute test`")
    parser.add_argument("unit_test_report", type=Path, help="the JSON report of `dbt-coverage compute unit-test`")
    args = parser.parse_args(argv)
    manifest, test_report, unit_test_report = (json.loads(path.read_text())
                                               for path in (args.manifest, args.test_report, args.unit_test_report))
    found = problems(manifest, test_report, unit_test_report)
    for line in found:
        print(line)
    models = len(model_descriptions(manifest))
    print(f"{models} models: {models - len({line.split(':')[0] for line in found})} described and tested")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
