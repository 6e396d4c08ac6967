"""The model graph runs one way: raw inputs -> staging -> intermediate -> marts, with audit beside
staging. dbt parses the project (no database needed) and the manifest's edges are checked:

- staging (base models included) reads seeds, sources and staging only;
- intermediate reads those and intermediate, never a mart;
- marts read anything but audit (a mart may build on another mart);
- audit reads seeds, sources, staging and audit: it explains what staging kept and dropped;
- every model sits under one of models/staging, intermediate, marts or audit.

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

LAYERS = ("staging", "intermediate", "marts", "audit")
RAW = {"seed", "source"}
# What each layer may read, besides itself.
ALLOWED_UPSTREAM: dict[str, set[str]] = {
    "staging": RAW | {"staging"},
    "intermediate": RAW | {"staging", "intermediate"},
    "marts": RAW | {"staging", "intermediate", "marts"},
    "audit": RAW | {"staging", "audit"},
}
SOURCES_YAML = {"models/staging": "_staging__sources.yml"}

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
