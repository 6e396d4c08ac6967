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

Inside staging, one raw table at a time, then the checks across tables:

- a base model (`base_*`) reads exactly one raw input and no model. A raw input is a source (var
  `raw_source` tables) or a seed outside seeds/reference (`raw_source` seeds: the demo's
  `raw_<table>` seeds; raw_table() picks one or the other, and files read none). A base model may
  also read reference seeds (seeds/reference: definitions as data, the same for every store, e.g.
  the country codes), which are not inputs of the store;
- the checks that need another table live in `checked_*` models, which read base and checked
  models; `stg_*` models, what the layers above read, are read by no staging model;
- the longest chain of models is at most MAX_DEPTH models, and of staging models at most
  MAX_STAGING_DEPTH (measured: 20 and 6 when base models read staged tables; 19 and 4 since).

And the folders, which the manifest's `patch_path`s and the files of models/ are checked against:

- each folder of models/ documents its own models: in one `_<folder>__models.yml` (the staging
  root holds the sources, `_staging__sources.yml`), or, in a folder whose YAML would be too long to
  read in one file, in `<model>.yml` beside each model (its properties and unit tests), with
  `<model>__unit_tests.yml` for unit tests that do not fit there and `_<folder>__<topic>.yml` for
  what spans models (the journey steps' shared columns, exposures, the semantic layer);
- no YAML file under models/ is over MAX_YAML_LINES lines;
- each mart sits in the folder of its domain: a mart whose name starts with one of
  MART_DOMAIN_PREFIXES sits in that prefix's folder of models/marts;
- a model is named `int_*` exactly when it sits in models/intermediate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from tests_py.conftest import ROOT

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
MAX_YAML_LINES = 400
# A mart named with one of these prefixes belongs to that folder of models/marts; the longest
# matching prefix wins.
MART_DOMAIN_PREFIXES = {
    "journey_": "journeys",
    "site_": "site",
    "email_": "email",
    "product_": "products",
    "custom_segment_": "custom_segments",
    "btyd_": "predictions",
    "customer_btyd_": "predictions",
    "rfm_": "rfm",
}
# The data test that no model outside these layers has a name or email column; it must run after
# every model it checks.
PERSONAL_DATA_TEST = "test.segments.personal_data_stays_in_activation"
PERSONAL_DATA_LAYERS = {"staging", "activation"}
REFERENCE_SEEDS = "seeds/reference/"
MAX_DEPTH = 19
MAX_STAGING_DEPTH = 4

Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def manifest(parsed_manifest: Path) -> Manifest:
    """target/manifest.json of the session's `dbt parse` (conftest.parsed_manifest)."""
    return json.loads(parsed_manifest.read_text())


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


def yaml_files() -> list[Path]:
    return sorted(path for path in (ROOT / "models").rglob("*") if path.suffix in (".yml", ".yaml"))


def yaml_layout_problems(manifest: Manifest, files: dict[str, list[str]]) -> list[str]:
    """One line per YAML file named against the folder convention and per model or unit test
    documented outside its folder's YAML. `files` maps each folder of models/ (relative to the
    repository) to the names of its YAML files."""
    problems = []
    models_in: dict[str, set[str]] = {}
    for node in models(manifest):
        path = PurePosixPath(node["original_file_path"])
        models_in.setdefault(path.parent.as_posix(), set()).add(path.stem)
    for folder, names in sorted(files.items()):
        name = PurePosixPath(folder).name
        single = SOURCES_YAML.get(folder, f"_{name}__models.yml")
        if single in names:
            if names != [single]:
                problems.append(f"{folder}: {names}, expected [{single!r}] or one YAML per model")
            continue
        own = models_in.get(folder, set())
        for file in names:
            stem = file.rsplit(".", 1)[0]
            if not (stem in own or stem.removesuffix("__unit_tests") in own or stem.startswith(f"_{name}__")):
                problems.append(f"{folder}/{file}: names no model of the folder and is not _{name}__<topic>.yml")
    for node in models(manifest):
        path = PurePosixPath(node["original_file_path"])
        patch = PurePosixPath((node.get("patch_path") or "").split("://", 1)[-1])
        if patch.parent != path.parent:
            problems.append(f"{path}: documented in {node.get('patch_path') or 'no YAML'}")
        elif patch.name not in (f"{path.stem}.yml", SOURCES_YAML.get(path.parent.as_posix()),
                                f"_{path.parent.name}__models.yml") and not patch.name.startswith(f"_{path.parent.name}__"):
            problems.append(f"{path}: documented in {patch.name}, expected {path.stem}.yml")
    for test in manifest["unit_tests"].values():
        model = manifest["nodes"].get(f"model.segments.{test['model']}")
        if model is None:
            continue
        path = PurePosixPath(model["original_file_path"])
        written = PurePosixPath(test["original_file_path"])
        expected = {f"{path.stem}.yml", f"{path.stem}__unit_tests.yml", f"_{path.parent.name}__models.yml"}
        if written.parent != path.parent or written.name not in expected:
            problems.append(f"unit test {test['name']} of {test['model']} is in {written}, expected one of "
                            f"{sorted(expected)} in {path.parent}")
    return sorted(problems)


def test_each_folder_documents_its_own_models(manifest: Manifest) -> None:
    """Each folder documents its models in `_<folder>__models.yml` or in one YAML per model, and a
    model's unit tests are beside it."""
    files: dict[str, list[str]] = {}
    for path in yaml_files():
        files.setdefault(path.parent.relative_to(ROOT).as_posix(), []).append(path.name)
    for path in (ROOT / "models").rglob("*"):
        if path.is_file() and path.suffix in (".sql", ".py"):
            files.setdefault(path.parent.relative_to(ROOT).as_posix(), [])
    problems = yaml_layout_problems(manifest, {folder: sorted(names) for folder, names in files.items()})
    assert not problems, "\n".join(problems)


def test_the_folder_check_sees_a_misplaced_yaml(manifest: Manifest) -> None:
    """A folder YAML beside per-model ones, a YAML naming another folder's model, a model documented
    in another model's YAML and a unit test away from its model are caught."""
    edited = json.loads(json.dumps(manifest))
    node = edited["nodes"]["model.segments.journey_queue"]
    node["patch_path"] = "segments://models/marts/journeys/journey_lift.yml"
    test = next(t for t in edited["unit_tests"].values() if t["model"] == "journey_queue")
    test["original_file_path"] = "models/marts/journeys/journey_lift.yml"
    found = yaml_layout_problems(edited, {
        "models/marts/journeys": ["_journeys__models.yml", "journey_queue.yml"],
        "models/marts/email": ["campaign_performance.yml", "customer_facts.yml"],
    })
    assert any(line.startswith("models/marts/journeys: ") for line in found), found
    assert "models/marts/email/customer_facts.yml: names no model of the folder and is not " \
        "_email__<topic>.yml" in found, found
    assert any(line.startswith("models/marts/journeys/journey_queue.sql: documented in journey_lift.yml")
               for line in found), found
    assert any(line.startswith(f"unit test {test['name']} of journey_queue is in ") for line in found), found


def test_no_yaml_file_is_too_long_to_read() -> None:
    long = [f"{path.relative_to(ROOT)}: {count} lines" for path in yaml_files()
            if (count := len(path.read_text().splitlines())) > MAX_YAML_LINES]
    assert not long, f"split these by model (at most {MAX_YAML_LINES} lines a file):\n" + "\n".join(long)


def misplaced_marts(manifest: Manifest) -> list[str]:
    """One line per mart outside the folder its name's domain prefix gives."""
    problems = []
    for node in models(manifest):
        path = PurePosixPath(node["original_file_path"])
        if layer(manifest, node["unique_id"]) != "marts":
            continue
        prefixes = [prefix for prefix in MART_DOMAIN_PREFIXES if node["name"].startswith(prefix)]
        if prefixes:
            folder = MART_DOMAIN_PREFIXES[max(prefixes, key=len)]
            if path.parts[2] != folder:
                problems.append(f"{path}: belongs in models/marts/{folder}")
    return sorted(problems)


def test_each_mart_sits_in_its_domain_folder(manifest: Manifest) -> None:
    problems = misplaced_marts(manifest)
    assert not problems, "\n".join(problems)


def test_the_domain_check_sees_a_misplaced_mart(manifest: Manifest) -> None:
    edited = json.loads(json.dumps(manifest))
    edited["nodes"]["model.segments.journey_queue"]["original_file_path"] = "models/marts/products/journey_queue.sql"
    assert "models/marts/products/journey_queue.sql: belongs in models/marts/journeys" in misplaced_marts(edited)


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


def is_raw_input(manifest: Manifest, unique_id: str) -> bool:
    """A source, or a seed outside seeds/reference (a store's raw table, not definitions as data)."""
    if unique_id.startswith("source."):
        return True
    node = manifest["nodes"].get(unique_id, {})
    return node.get("resource_type") == "seed" and not node["original_file_path"].startswith(REFERENCE_SEEDS)


def staging_problems(manifest: Manifest) -> list[str]:
    """One line per base model that does not read exactly one raw input and no model, and per
    staging model that reads a stg_ model."""
    problems = []
    for node in models(manifest):
        upstream = node["depends_on"]["nodes"]
        if node["name"].startswith("base_"):
            raw = [u.split(".")[-1] for u in upstream if is_raw_input(manifest, u)]
            read_models = [u.split(".")[-1] for u in upstream if u.startswith("model.")]
            if len(raw) != 1:
                problems.append(f"base model {node['name']} reads {len(raw)} raw inputs: {sorted(raw)}")
            if read_models:
                problems.append(f"base model {node['name']} reads models: {sorted(read_models)}")
        if layer(manifest, node["unique_id"]) == "staging":
            problems.extend(
                f"staging model {node['name']} reads {u.split('.')[-1]}"
                for u in upstream if u.split(".")[-1].startswith("stg_")
            )
    return sorted(problems)


def test_base_models_read_one_raw_input_and_no_model(manifest: Manifest) -> None:
    problems = staging_problems(manifest)
    assert not problems, "\n".join(problems)


def test_the_staging_check_sees_a_base_model_reading_another_table(manifest: Manifest) -> None:
    """A base model reading a staged table, a second raw input or none, and a checked model
    reading a stg_ view, are caught; a reference seed is allowed."""
    edited = json.loads(json.dumps(manifest))
    nodes = edited["nodes"]
    orders = nodes["model.segments.base_shop__orders"]["depends_on"]["nodes"]
    orders.append("model.segments.stg_shop__customers")
    orders.append("seed.segments.country_codes")
    nodes["model.segments.base_shop__products"]["depends_on"]["nodes"].append("seed.segments.raw_customers")
    nodes["model.segments.base_email__messages"]["depends_on"]["nodes"] = []
    nodes["model.segments.checked_shop__orders"]["depends_on"]["nodes"].append("model.segments.stg_shop__customers")
    found = staging_problems(edited)
    assert found == sorted([
        "base model base_shop__orders reads models: ['stg_shop__customers']",
        "staging model base_shop__orders reads stg_shop__customers",
        "base model base_shop__products reads 2 raw inputs: ['raw_customers', 'raw_products']",
        "base model base_email__messages reads 0 raw inputs: []",
        "staging model checked_shop__orders reads stg_shop__customers",
    ]), found


def longest_chain(manifest: Manifest, keep: set[str] | None = None) -> list[str]:
    """The longest path of models (only those in `keep`, when given), first to last."""
    chosen = {n["unique_id"] for n in models(manifest) if keep is None or n["unique_id"] in keep}
    longest: dict[str, list[str]] = {}

    def chain(unique_id: str) -> list[str]:
        if unique_id not in longest:
            upstream = [u for u in manifest["nodes"][unique_id]["depends_on"]["nodes"] if u in chosen]
            longest[unique_id] = max((chain(u) for u in upstream), key=len, default=[]) + [unique_id]
        return longest[unique_id]

    return max((chain(u) for u in sorted(chosen)), key=len, default=[])


def test_the_graph_stays_shallow(manifest: Manifest) -> None:
    """Each base model reads its raw table only, so the staged customers no longer sit before
    the base orders, nor the staged orders before the base order lines."""
    staging = {n["unique_id"] for n in models(manifest) if layer(manifest, n["unique_id"]) == "staging"}
    deepest = longest_chain(manifest)
    deepest_staging = longest_chain(manifest, staging)
    names = [" -> ".join(u.split(".")[-1] for u in path) for path in (deepest, deepest_staging)]
    print(f"longest chain: {len(deepest)} models: {names[0]}")
    print(f"longest staging chain: {len(deepest_staging)} models: {names[1]}")
    assert len(deepest) <= MAX_DEPTH, names[0]
    assert len(deepest_staging) <= MAX_STAGING_DEPTH, names[1]


def misnamed_intermediates(manifest: Manifest) -> list[str]:
    """One line per int_ model outside models/intermediate and per model there not named int_."""
    return sorted(
        node["original_file_path"] for node in models(manifest)
        if node["name"].startswith("int_") != (layer(manifest, node["unique_id"]) == "intermediate")
    )


def test_intermediate_models_live_in_intermediate(manifest: Manifest) -> None:
    problems = misnamed_intermediates(manifest)
    assert not problems, "an int_ model belongs in models/intermediate, and only int_ models do:\n" + "\n".join(problems)


def test_the_intermediate_check_sees_a_misplaced_model(manifest: Manifest) -> None:
    edited = json.loads(json.dumps(manifest))
    edited["nodes"]["model.segments.int_customer_facts"]["original_file_path"] = "models/marts/int_customer_facts.sql"
    edited["nodes"]["model.segments.customer_facts"]["original_file_path"] = "models/intermediate/customer_facts.sql"
    assert misnamed_intermediates(edited) == ["models/intermediate/customer_facts.sql",
                                              "models/marts/int_customer_facts.sql"]
