"""The model graph runs one way: raw inputs -> staging -> intermediate -> marts -> activation, with
audit beside staging. dbt parses the project (no database needed) and the manifest's edges are
checked:

- staging (base models included) reads seeds, sources and staging only;
- intermediate reads those and intermediate, never a mart;
- marts read anything but audit and activation (a mart may build on another mart);
- activation reads marts, intermediate, staging and activation: what destinations take, and the
  one model holding names and email addresses (read from staging);
- audit reads seeds, sources, staging and audit: it explains what staging kept and dropped;
- every model sits under one of models/staging, intermediate, marts, activation or audit.

And the folders: each folder of models/ holds one YAML, `_<folder>__models.yml`, which documents
the folder's models (the staging root holds the sources, `_staging__sources.yml`).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from tests_py.conftest import DBT, ROOT, dbt_env

LAYERS = ("staging", "intermediate", "marts", "activation", "audit")
RAW = {"seed", "source"}
# What each layer may read, besides itself.
ALLOWED_UPSTREAM: dict[str, set[str]] = {
    "staging": RAW | {"staging"},
    "intermediate": RAW | {"staging", "intermediate"},
    "marts": RAW | {"staging", "intermediate", "marts"},
    "activation": RAW | {"staging", "intermediate", "marts", "activation"},
    "audit": RAW | {"staging", "audit"},
}
SOURCES_YAML = {"models/staging": "_staging__sources.yml"}
# The data test that no model outside these layers has a name or email column; it must run after
# every model it checks.
PERSONAL_DATA_TEST = "test.segments.personal_data_stays_in_activation"
PERSONAL_DATA_LAYERS = {"staging", "activation"}

Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    """target/manifest.json of `dbt parse`, written to a throw-away target path."""
    work = tmp_path_factory.mktemp("layers")
    subprocess.run(
        [str(DBT), "parse", "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=ROOT, env=dbt_env(work / "parse.duckdb"), check=True, capture_output=True, text=True,
    )
    return json.loads((work / "target" / "manifest.json").read_text())


def layer(manifest: Manifest, unique_id: str) -> str:
    """seed, source, one of LAYERS, or `outside` for a model anywhere else."""
    if unique_id.startswith("source."):
        return "source"
    node = manifest["nodes"][unique_id]
    if node["resource_type"] != "model":
        return node["resource_type"]
    parts = PurePosixPath(node["original_file_path"]).parts
    return parts[1] if len(parts) > 2 and parts[0] == "models" and parts[1] in LAYERS else "outside"


def models(manifest: Manifest) -> Iterator[dict[str, Any]]:
    return (node for node in manifest["nodes"].values() if node["resource_type"] == "model")


def layer_violations(manifest: Manifest) -> list[str]:
    """One line per model outside the layers and per edge a layer may not take."""
    violations = []
    for node in models(manifest):
        own = layer(manifest, node["unique_id"])
        if own == "outside":
            violations.append(f"{node['original_file_path']}: not under models/{{{','.join(LAYERS)}}}")
            continue
        for upstream in node["depends_on"]["nodes"]:
            upstream_layer = layer(manifest, upstream)
            if upstream_layer not in ALLOWED_UPSTREAM[own]:
                violations.append(f"{own} model {node['name']} reads {upstream_layer} {upstream.split('.')[-1]}")
    return sorted(violations)


def test_every_layer_reads_only_the_layers_below_it(manifest: Manifest) -> None:
    violations = layer_violations(manifest)
    assert not violations, "\n".join(violations)


def test_the_check_sees_a_violation(manifest: Manifest) -> None:
    """A mart read by an intermediate model, and a model outside the layers, are caught."""
    edited = json.loads(json.dumps(manifest))
    mart = next(node for node in models(edited) if layer(edited, node["unique_id"]) == "marts")
    intermediate = next(node for node in models(edited) if layer(edited, node["unique_id"]) == "intermediate")
    intermediate["depends_on"]["nodes"].append(mart["unique_id"])
    stray = next(node for node in models(edited)
                 if node["unique_id"] not in (mart["unique_id"], intermediate["unique_id"]))
    stray["original_file_path"] = "models/" + PurePosixPath(stray["original_file_path"]).name
    found = layer_violations(edited)
    assert f"intermediate model {intermediate['name']} reads marts {mart['name']}" in found
    assert any(line.startswith(stray["original_file_path"]) for line in found), found


def test_each_folder_has_one_yaml_named_after_it(manifest: Manifest) -> None:
    """One `_<folder>__models.yml` per folder of models/ with models or YAML in it, documenting
    exactly that folder's models."""
    problems = []
    folders = {path.parent for path in (ROOT / "models").rglob("*")
               if path.is_file() and path.suffix in (".sql", ".py", ".yml", ".yaml")}
    for folder in sorted(folders):
        relative = folder.relative_to(ROOT).as_posix()
        expected = SOURCES_YAML.get(relative, f"_{folder.name}__models.yml")
        found = sorted(path.name for path in folder.iterdir() if path.suffix in (".yml", ".yaml"))
        if found != [expected]:
            problems.append(f"{relative}: {found}, expected [{expected!r}]")
    for node in models(manifest):
        folder = PurePosixPath(node["original_file_path"]).parent
        patch = node.get("patch_path") or ""
        if PurePosixPath(patch.split("://", 1)[-1]).parent != folder:
            problems.append(f"{node['original_file_path']}: documented in {patch or 'no YAML'}")
    assert not problems, "\n".join(problems)


def ancestors(manifest: Manifest, unique_id: str) -> set[str]:
    """Every node unique_id reads, directly or through others."""
    seen: set[str] = set()
    stack = [unique_id]
    while stack:
        node = manifest["nodes"].get(stack.pop())
        for upstream in (node or {}).get("depends_on", {}).get("nodes", []):
            if upstream not in seen:
                seen.add(upstream)
                stack.append(upstream)
    return seen


def models_the_personal_data_test_misses(manifest: Manifest) -> list[str]:
    """The models the personal data test checks that dbt may build after it: it reads the built
    database, so each must be among its ancestors (its depends_on names the graph's leaves)."""
    upstream = ancestors(manifest, PERSONAL_DATA_TEST)
    return sorted(
        node["name"] for node in models(manifest)
        if layer(manifest, node["unique_id"]) not in PERSONAL_DATA_LAYERS and node["unique_id"] not in upstream
    )


def test_the_personal_data_test_runs_after_every_model_it_checks(manifest: Manifest) -> None:
    missing = models_the_personal_data_test_misses(manifest)
    assert not missing, (
        "add a `-- depends_on:` ref to tests/personal_data_stays_in_activation.sql for: " + ", ".join(missing)
    )


def test_the_personal_data_order_check_sees_a_new_leaf(manifest: Manifest) -> None:
    """A mart nothing reads and the test does not name is caught."""
    edited = json.loads(json.dumps(manifest))
    mart = next(node for node in models(edited) if layer(edited, node["unique_id"]) == "marts")
    leaf = json.loads(json.dumps(mart))
    leaf["unique_id"] = "model.segments.new_leaf_mart"
    leaf["name"] = "new_leaf_mart"
    edited["nodes"][leaf["unique_id"]] = leaf
    assert models_the_personal_data_test_misses(edited) == ["new_leaf_mart"]
