"""src/store_segments/runtime/build.py without dbt: how a build's results become the printed lines and the status
record a scheduler reads (the whole production run is tests_py/test_build_gate.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from store_segments.runtime import build


@dataclass
class DependsOn:
    nodes: list[str] = field(default_factory=list)


@dataclass
class Node:
    name: str
    resource_type: str
    original_file_path: str
    attached_node: str | None = None
    depends_on: DependsOn = field(default_factory=DependsOn)


@dataclass
class Result:
    node: Node
    status: str
    message: str | None = None
    failures: int | None = None


@dataclass
class Results:
    results: list[Result]


def test_problems_are_the_failed_models_and_tests_and_the_warned_tests() -> None:
    results = Results([
        Result(Node("customer_facts", "model", "models/marts/customers/customer_facts.sql"), "success"),
        Result(Node("unique_customer_facts_customer_id", "test", "models/x.yml",
                    attached_node="model.segments.customer_facts"), "fail", "Got 2 results", 2),
        Result(Node("checks_orders", "test", "tests/checks_orders.sql",
                    depends_on=DependsOn(["macro.segments.x", "model.segments.stg_shop__orders"])), "warn", "Got 1 result", 1),
        Result(Node("customer_rfm", "model", "models/marts/rfm/customer_rfm.sql"), "error", "Binder Error: x\nmore"),
        Result(Node("segment_memberships", "model", "models/y.sql"), "skipped"),
    ])
    failed, warned, skipped = build.problems_of(results)
    assert [(p.node, p.model, p.status) for p in failed] == [
        ("unique_customer_facts_customer_id", "customer_facts", "fail"), ("customer_rfm", "customer_rfm", "error")]
    assert [(p.node, p.model) for p in warned] == [("checks_orders", "stg_shop__orders")]
    assert skipped == 1
    assert build.format_problem(failed[0]) == (
        "  FAIL  test unique_customer_facts_customer_id on customer_facts: Got 2 results (models/x.yml)")
    # A model's own error: its first line, no "on".
    assert build.format_problem(failed[1]) == (
        "  ERROR model customer_rfm: Binder Error: x (models/marts/rfm/customer_rfm.sql)")


def test_no_results_at_all_is_no_problem_listed() -> None:
    assert build.problems_of(None) == ([], [], 0)


def test_the_status_record_is_written_per_build_and_as_the_last_one(tmp_path: Path) -> None:
    status = build.BuildStatus(status="failed", started_at="2026-12-07T02:54:57.899139+00:00",
                               as_of="2026-10-31T18:00:00", quarantined_rows={"raw_orders": {"duplicate": 12}})
    record = build.write_status(tmp_path, status)
    assert record.parent == tmp_path / "builds" and record.name.startswith("20261207T025457Z-")
    last = json.loads((tmp_path / "last_build.json").read_text())
    assert last == json.loads(record.read_text())
    assert last["status"] == "failed" and last["quarantined_rows"] == {"raw_orders": {"duplicate": 12}}
    build.write_status(tmp_path, build.BuildStatus(status="published", started_at="2026-12-08T03:00:00+00:00"))
    assert json.loads((tmp_path / "last_build.json").read_text())["status"] == "published"
    assert len(list((tmp_path / "builds").glob("*.json"))) == 2
    assert not list(tmp_path.glob(".*.tmp"))


def test_as_of_values_read_as_naive_utc() -> None:
    assert build.parse_as_of(None) is None and build.parse_as_of("") is None
    assert build.parse_as_of("2026-06-01") == datetime(2026, 6, 1)
    assert build.parse_as_of("2026-06-01T02:00:00+02:00") == datetime(2026, 6, 1)
    assert build.parse_as_of(datetime(2026, 6, 1, 12)) == datetime(2026, 6, 1, 12)


def test_preview_databases_are_named_by_their_as_of(tmp_path: Path) -> None:
    assert build.preview_database(tmp_path, datetime(2026, 6, 1)) == tmp_path / "20260601T000000.duckdb"
