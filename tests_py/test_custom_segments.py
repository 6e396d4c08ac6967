"""Custom segments (docs/custom_segments.md): every kind of bad definition fails `dbt parse` with
one line naming the var, the segment and the path inside it, and what is allowed; and each demo
definition has at least 20 members on the built demo."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest
import yaml

from tests_py.conftest import DBT, ROOT, copy_project, dbt_env

MIN_DEMO_MEMBERS = 20


def segment(name: str, condition: object, **extra: object) -> dict:
    return {"name": name, "description": "a test segment", "owner": "tests", "condition": condition, **extra}


US = {"attribute": "country_code", "op": "=", "value": "US"}
# One definition per problem; each problem's expected line (a fragment of it) below.
BAD_DEFINITIONS = [
    segment("unknown_attribute", {"attribute": "contry", "op": "=", "value": "US"}),
    segment("unknown_event", {"event": "page_likes", "window": "all_time", "op": ">=", "value": 1}),
    segment("operator_misfit", {"all": [US, {"attribute": "country_code", "op": "<", "value": "US"}]}),
    segment("value_misfit", {"attribute": "valid_orders", "op": ">=", "value": "three"}),
    segment("window_backwards", {"any": [US, {"not": {
        "event": "orders", "window": {"from_days_ago": 7, "to_days_ago": 30}, "op": ">=", "value": 1}}]}),
    segment("filter_misfit", {"event": "orders", "product": "SKU-0001", "window": "all_time", "op": ">=", "value": 1}),
    segment("cycle_a", {"member_of": {"custom_segment": "cycle_b"}}),
    segment("cycle_b", {"all": [US, {"member_of": {"custom_segment": "cycle_a"}}]}),
    segment("unknown_reference", {"member_of": {"custom_segment": "nowhere"}}),
    segment("duplicate", US),
    segment("duplicate", US),
    segment("high_rollers", US),
    segment("Bad Name", US),
    segment("two_kinds", {"attribute": "aov", "op": ">", "value": 1, "event": "orders"}),
    segment("between_backwards", {"attribute": "aov", "op": "between", "value": [100, 50]}),
    segment("bad_anniversary", {"anniversary": "wedding", "within_next_days": 30}),
    {"name": "no_owner", "description": "d", "condition": US},
]
EXPECTED = {
    "unknown attribute": "item 0, segment 'unknown_attribute', at condition.attribute: unknown attribute 'contry'; "
                         "allowed: acquisition_source, aov,",
    "unknown event": "segment 'unknown_event', at condition.event: unknown event 'page_likes'; allowed: adds_to_cart,",
    "operator that does not fit the type": (
        "segment 'operator_misfit', at condition.all[1].op: operator '<' does not fit text attribute "
        "'country_code'; allowed: =, !=, in, not in, is null, is not null"),
    "value that does not fit the type": "segment 'value_misfit', at condition.value: expected a number value",
    "window start after its end": "segment 'window_backwards', at condition.any[1].not.window: the window starts "
                                  "(7 days ago) after it ends (30 days ago)",
    "filter an event does not take": "segment 'filter_misfit', at condition.product: unknown key; allowed: event, "
                                     "measure, window, op, value (filters of orders: none)",
    "a cycle": "segment 'cycle_a', at condition: a cycle of custom_segment memberships (cycle_a -> cycle_b -> cycle_a)",
    "an unknown custom segment": "segment 'unknown_reference', at condition.member_of.custom_segment: unknown custom "
                                 "segment 'nowhere'",
    "a duplicate name": "item 10, segment 'duplicate', at name: duplicate name (also item 9)",
    "a clash with a built-in segment": (
        "segment 'high_rollers', at name: clashes with the built-in segment 'High Rollers'"),
    "a malformed name": "segment 'Bad Name', at name: a name is lower snake case",
    "two kinds in one condition": "segment 'two_kinds', at condition: a condition has exactly one of: all, any, not, "
                                  "attribute, event, member_of, anniversary (found attribute, event)",
    "between low above high": "segment 'between_backwards', at condition.value: 'between' low 100 is above high 50",
    "an unknown anniversary": "segment 'bad_anniversary', at condition.anniversary: unknown anniversary 'wedding'; "
                              "allowed: birthday, first_order, sign_up",
    "a missing owner": "segment 'no_owner', at owner: required, a non-empty text",
}


@pytest.fixture(scope="module")
def parse_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The output of `dbt parse` in a copy of the project whose dbt_project.yml holds BAD_DEFINITIONS."""
    project = copy_project(tmp_path_factory.mktemp("bad_segments"))
    settings = yaml.safe_load((project / "dbt_project.yml").read_text())
    settings["vars"]["custom_segments"] = BAD_DEFINITIONS
    (project / "dbt_project.yml").write_text(yaml.safe_dump(settings, sort_keys=False))
    result = subprocess.run(
        [str(DBT), "parse", "--target-path", str(project / "target"), "--log-path", str(project / "logs")],
        cwd=project, env={**dbt_env(project / "parse.duckdb"), "DBT_PROFILES_DIR": str(project)},
        capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0, "dbt parse accepted the bad definitions"
    return result.stdout + result.stderr


@pytest.mark.parametrize("problem", sorted(EXPECTED))
def test_a_bad_definition_fails_the_parse_with_its_own_line(parse_output: str, problem: str) -> None:
    assert EXPECTED[problem] in parse_output, parse_output[-6000:]


def test_every_problem_is_listed_once(parse_output: str) -> None:
    """One message per problem: the header counts them and each is its own line; none repeats."""
    lines = [line.strip() for line in parse_output.splitlines() if line.strip().startswith("- var custom_segments")]
    assert len(lines) == len(set(lines)), lines
    assert f"custom segments: {len(lines)} problem(s) in the definitions" in parse_output
    assert len(lines) >= len(EXPECTED)


def test_every_demo_segment_has_at_least_twenty_members(built_database: Path) -> None:
    """Checked here rather than as a data test: a store's own segments may well be small."""
    names = [s["name"] for s in yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]["custom_segments"]]
    assert len(names) >= 6
    with duckdb.connect(str(built_database), read_only=True) as connection:
        sizes = dict(connection.execute(
            "select segment_name, count(*) from main.custom_segment_members group by segment_name").fetchall())
    small = {name: sizes.get(name, 0) for name in names if sizes.get(name, 0) < MIN_DEMO_MEMBERS}
    assert not small, f"demo custom segments under {MIN_DEMO_MEMBERS} members: {small}"


# Every kind of condition a definition may use (docs/custom_segments.md): what the demo's, the
# documentation's and the benchmark's definitions must each cover between them.
EVERY_CONDITION_KIND = {
    "all", "any", "not", "attribute", "anniversary",
    "event:orders", "event:products_bought", "event:product_views", "event:adds_to_cart",
    "event:checkouts_started", "event:email_deliveries", "event:email_opens", "event:email_clicks",
    "window:all_time", "window:last_days", "window:from_days_ago", "window:since",
    "filter:product", "filter:category", "filter:message_type", "filter:name_like",
    "member_of:persona", "member_of:primary_persona", "member_of:rfm_segment", "member_of:rfm_group",
    "member_of:lifecycle_stage", "member_of:custom_segment",
    "anniversary:birthday", "anniversary:sign_up", "anniversary:first_order",
}


def condition_kinds(definitions: list[dict]) -> set[str]:
    """The kinds of condition the definitions use: nodes, events, windows, filters, measures,
    memberships, anniversaries, and each operator by what it compares (attribute or event)."""
    found: set[str] = set()

    def walk(node: dict) -> None:
        for kind in ("all", "any"):
            for child in node.get(kind, []):
                walk(child)
        if "not" in node:
            walk(node["not"])
        found.update(f"{key}" for key in node if key in ("all", "any", "not", "attribute", "anniversary"))
        if "attribute" in node:
            found.add(f"attribute_op:{node['op']}")
        if "anniversary" in node:
            found.add(f"anniversary:{node['anniversary']}")
        if "event" in node:
            found.add(f"event:{node['event']}")
            found.add(f"event_op:{node['op']}")
            found.add(f"measure:{node['event']}:{node.get('measure', 'count')}")
            window = node["window"]
            found.add(f"window:{window if isinstance(window, str) else next(iter(sorted(window)))}")
            found.update(f"filter:{key}" for key in ("product", "category", "message_type", "name_like") if key in node)
        if "member_of" in node:
            found.add(f"member_of:{next(iter(node['member_of']))}")

    for definition in definitions:
        walk(definition["condition"])
    return found


def test_the_demo_definitions_use_every_condition_kind() -> None:
    """Attribute, event (every event, filter and window kind), membership (every kind), anniversary (every
    kind), all/any/not."""
    definitions = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]["custom_segments"]
    found = condition_kinds(definitions)
    assert EVERY_CONDITION_KIND <= found, sorted(EVERY_CONDITION_KIND - found)


def test_filter_values_that_name_the_same_column_differently_fail_the_parse(tmp_path: Path) -> None:
    """SKU-1 and sku_1 would share one activity column; the parse stops instead of counting one as the other."""
    views = {"event": "product_views", "window": "all_time", "op": ">", "value": 0}
    definitions = [segment("by_dash", {**views, "product": "SKU-1"}),
                   segment("by_underscore", {**views, "product": "sku_1"})]
    result = subprocess.run(
        [str(DBT), "parse", "--vars", yaml.safe_dump({"custom_segments": definitions}),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=ROOT, env=dbt_env(tmp_path / "parse.duckdb"), capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    assert "segment 'by_underscore' counts" in result.stdout, result.stdout[-3000:]
    assert "write the values alike" in result.stdout
