"""Custom segments (docs/custom_segments.md): every kind of bad definition fails `dbt parse` with
one line naming the var, the segment and the path inside it, and what is allowed; and each demo
definition has at least 20 members on the built demo."""

from __future__ import annotations

import json
import shutil
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
    # The rest of what docs/custom_segments.md lists as checked, in the same parse.
    segment("extra_key", US, colour="red"),
    segment("leaf_extra_key", {"attribute": "aov", "op": ">", "value": 1, "unit": "EUR"}),
    segment("unknown_measure", {"event": "orders", "measure": "units", "window": "all_time", "op": ">", "value": 1}),
    segment("unknown_membership", {"member_of": {"cohort": "2024"}}),
    segment("unknown_stage", {"member_of": {"lifecycle_stage": "vip"}}),
    segment("window_unknown", {"event": "orders", "window": {"last_weeks": 2}, "op": ">", "value": 0}),
    segment("window_missing", {"event": "orders", "op": ">", "value": 0}),
    segment("window_since_format", {"event": "orders", "window": {"since": "01/02/2026"}, "op": ">", "value": 0}),
    segment("window_negative", {"event": "orders", "window": {"last_days": -1}, "op": ">", "value": 0}),
    segment("null_with_value", {"attribute": "aov", "op": "is null", "value": 1}),
    segment("in_without_list", {"attribute": "country_code", "op": "in", "value": "US"}),
    segment("in_item_misfit", {"attribute": "aov", "op": "in", "value": [1, "two"]}),
    segment("boolean_operator_misfit", {"attribute": "is_vip", "op": ">", "value": True}),
    segment("count_operator_misfit", {"event": "orders", "window": "all_time", "op": "in", "value": [1]}),
    segment("message_type_unknown", {"event": "email_opens", "message_type": "sms", "window": "all_time",
                                     "op": ">", "value": 0}),
    segment("name_like_two", {"event": "email_opens", "name_like": ["%a%", "%b%"], "window": "all_time",
                              "op": ">", "value": 0}),
    segment("filter_not_text", {"event": "product_views", "product": 5, "window": "all_time", "op": ">", "value": 0}),
    segment("empty_all", {"all": []}),
    segment("condition_not_mapping", "US"),
    segment("no_kind", {}),
    segment("anniversary_negative", {"anniversary": "birthday", "within_next_days": -1}),
    {"name": "blank_description", "description": " ", "owner": "o", "condition": US},
    {"name": "no_condition", "description": "d", "owner": "o"},
    "just text",
    segment("need_attention", US),
    segment("loyalty", US),
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
    "an unknown key": "segment 'extra_key', at colour: unknown key; allowed: name, description, owner, condition",
    "an unknown key in a condition": "segment 'leaf_extra_key', at condition.unit: unknown key; allowed: attribute, "
                                     "op, value",
    "an unknown measure": "segment 'unknown_measure', at condition.measure: 'units' is not a measure of orders; "
                          "allowed: count, revenue",
    "an unknown membership kind": "segment 'unknown_membership', at condition.member_of.cohort: unknown membership; "
                                  "allowed: persona, primary_persona, rfm_segment, rfm_group, lifecycle_stage, "
                                  "custom_segment",
    "an unknown lifecycle stage": "segment 'unknown_stage', at condition.member_of.lifecycle_stage: unknown stage "
                                  "'vip'; allowed: acquisition, retention, loyalty",
    "a malformed window": "segment 'window_unknown', at condition.window: allowed: all_time, {last_days: N}, "
                          "{from_days_ago: M, to_days_ago: N} (M >= N), {since: YYYY-MM-DD}",
    "a missing window": "segment 'window_missing', at condition.window: required; allowed: all_time,",
    "a since that is not a date": "segment 'window_since_format', at condition.window.since: a date written "
                                  "YYYY-MM-DD (quoted)",
    "a negative window": "segment 'window_negative', at condition.window.last_days: a whole number of days >= 0",
    "a value for is null": "segment 'null_with_value', at condition.value: 'is null' takes no value",
    "in without a list": "segment 'in_without_list', at condition.value: 'in' takes a non-empty list of text values",
    "an in item of another type": "segment 'in_item_misfit', at condition.value[1]: expected a number value for "
                                  "attribute 'aov'",
    "an operator that does not fit a boolean": (
        "segment 'boolean_operator_misfit', at condition.op: operator '>' does not fit boolean attribute 'is_vip'; "
        "allowed: =, !=, is null, is not null"),
    "an operator that does not fit a count": (
        "segment 'count_operator_misfit', at condition.op: operator 'in' does not fit count event 'orders'; "
        "allowed: =, !=, <, <=, >, >=, between"),
    "an unknown message type": "segment 'message_type_unknown', at condition.message_type: allowed: campaign, flow",
    "two name patterns": "segment 'name_like_two', at condition.name_like: one LIKE pattern",
    "a filter value that is not text": "segment 'filter_not_text', at condition.product: expected a text or a "
                                       "non-empty list of texts",
    "an empty all": "segment 'empty_all', at condition.all: expected a non-empty list of conditions",
    "a condition that is not a mapping": "segment 'condition_not_mapping', at condition: expected a mapping with one "
                                         "of: all, any, not, attribute, event, member_of, anniversary",
    "a condition of no kind": "segment 'no_kind', at condition: a condition has exactly one of: all, any, not, "
                              "attribute, event, member_of, anniversary (found none)",
    "a negative anniversary window": "segment 'anniversary_negative', at condition.within_next_days: required, a "
                                     "whole number of days >= 0",
    "a blank description": "segment 'blank_description', at description: required, a non-empty text",
    "a missing condition": "segment 'no_condition', at condition: required",
    "an item that is not a mapping": "item 40: expected a mapping with name, description, owner and condition",
    "a clash with an RFM segment": "segment 'need_attention', at name: clashes with the built-in segment "
                                   "'Need Attention'",
    "a clash with a lifecycle stage": "segment 'loyalty', at name: clashes with the built-in segment 'loyalty'",
}


@pytest.fixture(scope="module")
def parse_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The output of `dbt parse` in a copy of the project whose dbt_project.yml holds BAD_DEFINITIONS."""
    project = copy_project(tmp_path_factory.mktemp("bad_segments"))
    settings = yaml.safe_load((project / "dbt_project.yml").read_text())
    settings["vars"]["segments__custom_segments"] = BAD_DEFINITIONS
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
    """One message per problem, each naming the file the definitions are in: the header counts them
    and each is its own line; none repeats."""
    lines = [line.strip() for line in parse_output.splitlines()
             if line.strip().startswith("- dbt_project.yml var segments__custom_segments, item ")]
    assert len(lines) == len(set(lines)), lines
    assert f"custom segments: {len(lines)} problem(s) in the definitions" in parse_output
    assert len(lines) >= len(EXPECTED)


def test_every_demo_segment_has_at_least_twenty_members(built_database: Path) -> None:
    """Checked here rather than as a data test: a store's own segments may well be small."""
    names = [s["name"] for s in yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]["segments__custom_segments"]]
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
    definitions = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]["segments__custom_segments"]
    found = condition_kinds(definitions)
    assert EVERY_CONDITION_KIND <= found, sorted(EVERY_CONDITION_KIND - found)


def test_the_benchmark_definitions_use_every_condition_kind_operator_and_measure() -> None:
    """The twenty segments `segments benchmark --custom-segments` builds with (a test of
    test_custom_segments_docs.py builds them, and the independent evaluation checks them)."""
    definitions = yaml.safe_load((ROOT / "src" / "store_segments" / "bench" / "benchmark_custom_segments.yml").read_text())["segments__custom_segments"]
    assert len(definitions) == 20
    found = condition_kinds(definitions)
    expected = EVERY_CONDITION_KIND | {
        *(f"attribute_op:{op}" for op in ("=", "!=", "<", "<=", ">", ">=", "between", "in", "not in",
                                           "is null", "is not null")),
        *(f"event_op:{op}" for op in ("=", "!=", "<", "<=", ">", ">=", "between")),
        "measure:orders:count", "measure:orders:revenue", "measure:products_bought:count",
        "measure:products_bought:units", "measure:products_bought:revenue",
    }
    assert expected <= found, sorted(expected - found)


def test_the_benchmark_sums_the_custom_segment_models_seconds() -> None:
    """`segments benchmark --custom-segments`: the models of a custom_segments folder, not the
    other models nor the tests, against the summed time of every model."""
    from store_segments.bench.benchmark import custom_segment_model_seconds, load_custom_segments

    manifest = {"nodes": {
        "model.segments.int_custom_segment_activity": {
            "resource_type": "model", "original_file_path": "models/intermediate/custom_segments/a.sql"},
        "model.segments.custom_segment_members": {
            "resource_type": "model", "original_file_path": "models/marts/custom_segments/m.sql"},
        "model.segments.segment_memberships": {
            "resource_type": "model", "original_file_path": "models/marts/segments/segment_memberships.sql"},
        "test.segments.custom_segments_test": {
            "resource_type": "test", "original_file_path": "models/marts/custom_segments/_models.yml"},
    }}
    results = [{"unique_id": unique_id, "execution_time": seconds} for unique_id, seconds in zip(
        manifest["nodes"], (1.5, 2.0, 4.0, 8.0))]
    assert custom_segment_model_seconds(results, manifest) == 3.5
    loaded = load_custom_segments(ROOT / "src" / "store_segments" / "bench" / "benchmark_custom_segments.yml")
    assert list(loaded) == ["segments__custom_segments"] and len(loaded["segments__custom_segments"]) == 20


def test_filter_values_that_name_the_same_column_differently_fail_the_parse(tmp_path: Path) -> None:
    """SKU-1 and sku_1 would share one activity column; the parse stops instead of counting one as the other."""
    views = {"event": "product_views", "window": "all_time", "op": ">", "value": 0}
    definitions = [segment("by_dash", {**views, "product": "SKU-1"}),
                   segment("by_underscore", {**views, "product": "sku_1"})]
    result = subprocess.run(
        [str(DBT), "parse", "--vars", yaml.safe_dump({"segments__custom_segments": definitions}),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        cwd=ROOT, env=dbt_env(tmp_path / "parse.duckdb"), capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    assert "segment 'by_underscore' counts" in result.stdout, result.stdout[-3000:]
    assert "write the values alike" in result.stdout


def test_custom_segments_reach_history_changes_and_audiences(built_database: Path) -> None:
    """Family custom is recorded in segment_history and segment_changes like the built-in segments,
    and its audiences get the same channel rules: each custom member has exactly the channels
    (email, ads) that their built-in segments' audiences give them."""
    with duckdb.connect(str(built_database), read_only=True) as connection:
        def counts(sql: str) -> dict[str, int]:
            return dict(connection.execute(sql).fetchall())

        members = counts("select segment_name, count(*) from main.custom_segment_members group by 1")
        assert members and min(members.values()) > 0
        assert counts("""select segment_name, count(*) from main.segment_history where segment_family = 'custom'
                         and as_of = (select max(as_of) from main.segment_history) group by 1""") == members
        assert counts("""select segment_name, count(*) from main.segment_changes where segment_family = 'custom'
                         and is_current group by 1""") == members
        differing = connection.execute("""
            with custom as (
                select distinct customer_id, channel from main_activation.audience_members where audience_family = 'custom'
            ),
            builtin as (
                select distinct customer_id, channel from main_activation.audience_members
                where audience_family <> 'custom'
                    and customer_id in (select customer_id from main.custom_segment_members)
            )
            select count(*) from ((select * from custom except select * from builtin)
                                  union all (select * from builtin except select * from custom))
        """).fetchone()[0]
        assert differing == 0
        (audience_customers,) = connection.execute(
            "select count(distinct customer_id) from main_activation.audience_members where audience_family = 'custom'"
            " and channel = 'email'").fetchone()
        (member_customers,) = connection.execute(
            "select count(distinct customer_id) from main.custom_segment_members").fetchone()
        assert 0 < audience_customers < member_customers  # the email rule leaves some members out


@pytest.fixture(scope="module")
def left_out_build(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, dict]:
    """One `dbt build` of the custom segment models and the named-values test on a copy of the demo
    build, with definitions naming SKU-NOPE and using predictions while the predictions count as
    not built (var segments__predictions false, as on Spark): its output, database and
    run results."""
    work = tmp_path_factory.mktemp("left_out")
    database = work / "segments.duckdb"
    shutil.copy2(built_database, database)
    views = {"event": "product_views", "window": "all_time", "op": ">=", "value": 1}
    definitions = [
        segment("nope_viewers", {**views, "product": ["SKU-0001", "SKU-NOPE"]}),
        segment("tea_viewers", {**views, "category": "tea"}),
        segment("valuable", {"attribute": "predicted_clv", "op": ">", "value": 100}),
        segment("valuable_tea", {"all": [{"member_of": {"custom_segment": "valuable"}},
                                         {"member_of": {"custom_segment": "tea_viewers"}}]}),
    ]
    variables = {"segments__custom_segments": definitions, "segments__predictions": False}
    result = subprocess.run(
        [str(DBT), "build", "--vars", yaml.safe_dump(variables), "--exclude-resource-type", "unit_test",
         "--indirect-selection", "cautious",
         "--select", "int_custom_segment_activity", "custom_segment_profiles", "custom_segment_members",
         "custom_segments_name_products_in_the_data",
         "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=ROOT, env=dbt_env(database), capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    run_results = json.loads((work / "target" / "run_results.json").read_text())
    return result.stdout, database, run_results


def test_a_product_not_in_the_data_warns_naming_the_segment(left_out_build: tuple[str, Path, dict]) -> None:
    output, _, run_results = left_out_build
    (status,) = [r["status"] for r in run_results["results"]
                 if r["unique_id"].startswith("test.segments.custom_segments_name_products_in_the_data")]
    assert status == "warn"
    assert ("custom segment names a value not in the data: segment_name=nope_viewers, filter_name=product, "
            "filter_value=SKU-NOPE") in output
    assert "filter_value=SKU-0001" not in output and "filter_value=tea" not in output


def test_segments_using_predictions_are_left_out_with_a_warning_naming_them(
        left_out_build: tuple[str, Path, dict]) -> None:
    """Where customer_predictions is not built, a segment using a prediction attribute and a segment
    with a membership of it are left out, named in one warning; the others are built."""
    output, database, _ = left_out_build
    assert ("custom segments: 2 left out on target 'dev', where customer_predictions is not built: "
            "valuable (uses predicted_clv); valuable_tea (member of left-out valuable)") in output
    with duckdb.connect(str(database), read_only=True) as connection:
        names = {name for (name,) in connection.execute(
            "select distinct segment_name from main.custom_segment_members").fetchall()}
    assert names == {"nope_viewers", "tea_viewers"}
