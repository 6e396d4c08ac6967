"""`make segment NAME=...` (src/store_segments/runtime/segment.py, docs/custom_segments.md "Preview") on the
built demo: the preview's size, share, funnel and persona overlap agree with the built tables and
with a count written apart from the compiler; an empty or all-customer segment warns, an unknown
name exits 2 with the defined names, and a preview database is read by path or by AS_OF, unchanged.

One parse of the project for the module (the demo definitions plus two test definitions, passed as
vars, in a target folder of its own); every preview reuses it and reads the session's built demo."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from store_segments.runtime import segment as segment_preview
from store_segments.dbt_door import DbtSession, set_environment, vars_yaml
from tests_py.conftest import ROOT

DEMO = yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]["segments__custom_segments"]
# Attribute conditions only: they need no activity column the demo build did not make.
NOBODY = {"name": "nobody_at_all", "description": "Matches no customer.", "owner": "tests",
          "condition": {"attribute": "valid_orders", "op": "<", "value": 0}}
EVERYONE = {"name": "every_customer", "description": "Matches every customer.", "owner": "tests",
            "condition": {"not": {"attribute": "valid_orders", "op": "<", "value": 0}}}
TEST_VARS = {"segments__custom_segments": [*DEMO, NOBODY, EVERYONE]}
ALL_SEGMENTS = [segment["name"] for segment in DEMO if "all" in segment["condition"]]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtSession]:
    work = tmp_path_factory.mktemp("segment_preview")
    with pytest.MonkeyPatch.context() as patch:
        # The CLI's own sessions (main) reuse this parse: same target folder, same vars.
        patch.setenv("DBT_TARGET_PATH", str(work / "target"))
        patch.setenv("DBT_LOG_PATH", str(work / "logs"))
        set_environment(None)
        yield DbtSession(ROOT, ("--no-write-json",), TEST_VARS)


@pytest.fixture(scope="module")
def previews(session: DbtSession, built_database: Path) -> dict[str, tuple[dict[str, Any], segment_preview.Preview]]:
    """Every demo and test segment, compiled and evaluated once."""
    found = {}
    for name in [segment["name"] for segment in TEST_VARS["segments__custom_segments"]]:
        compiled = segment_preview.compile_preview(session, name)
        with segment_preview.open_read_only(built_database, compiled["database"]) as connection:
            found[name] = (compiled, segment_preview.evaluate(connection, compiled))
    return found


def query(database: Path, sql: str, parameters: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


@pytest.mark.parametrize("name", [segment["name"] for segment in DEMO])
def test_size_and_share_are_the_members_table(previews: dict, built_database: Path, name: str) -> None:
    compiled, preview = previews[name]
    [(members, customers)] = query(built_database, (
        "select (select count(*) from main.custom_segment_members where segment_name = ?),"
        " (select count(*) from main.customer_facts)"), [name])
    assert (preview.size, preview.customers) == (members, customers)
    assert preview.built_size == members and preview.differing == 0  # the same customers, not only as many
    assert f"Size: {members} of {customers} customers ({100.0 * members / customers:.1f}%)." in (
        segment_preview.format_preview(compiled, preview, "the demo"))


@pytest.mark.parametrize("name", ALL_SEGMENTS)
def test_an_all_funnel_never_grows_and_ends_at_the_size(previews: dict, name: str) -> None:
    compiled, preview = previews[name]
    assert len(preview.steps) == len(compiled["steps"]) >= 2
    assert preview.steps == sorted(preview.steps, reverse=True), preview.steps
    assert preview.steps[-1] == preview.size > 0


def test_the_first_step_is_an_independent_count(previews: dict, built_database: Path) -> None:
    """big_spenders_gone_quiet starts with lifetime_net_revenue between 300 and 1000000."""
    compiled, preview = previews["big_spenders_gone_quiet"]
    assert compiled["steps"][0] == "lifetime_net_revenue between 300 and 1000000"
    [(expected,)] = query(built_database, "select count(*) from main.customer_facts"
                                          " where lifetime_net_revenue between 300 and 1000000")
    assert preview.steps[0] == expected
    assert expected > preview.size  # the later steps do remove customers: the funnel is not flat


def test_an_any_counts_each_condition_alone(previews: dict) -> None:
    compiled, preview = previews["lapsed_vips_or_foreign_champions"]
    assert compiled["shape"] == "any" and len(preview.steps) == 2
    assert max(preview.steps) <= preview.size <= sum(preview.steps)


@pytest.mark.parametrize("name", [segment["name"] for segment in DEMO])
def test_the_persona_overlap_sums_to_the_size(previews: dict, built_database: Path, name: str) -> None:
    _, preview = previews[name]
    assert sum(count for _, count in preview.personas) == preview.size
    expected = query(built_database, (
        "select personas.primary_persona, count(*) from main.custom_segment_members as members"
        " join main.customer_personas as personas using (customer_id) where members.segment_name = ?"
        " group by 1 order by 2 desc, 1"), [name])
    assert preview.personas == expected


def test_the_sample_is_five_members_with_the_values_their_leaves_compared(
        previews: dict, built_database: Path) -> None:
    compiled, preview = previews["big_spenders_gone_quiet"]
    assert len(preview.sample) == segment_preview.SAMPLE_SIZE
    members = {row[0]: row[1:] for row in query(built_database, (
        "select facts.customer_id, facts.lifetime_net_revenue, facts.days_since_last_order"
        " from main.custom_segment_members as members join main.customer_facts as facts using (customer_id)"
        " where members.segment_name = 'big_spenders_gone_quiet'"))}
    for row in preview.sample:
        revenue, days_since_last_order = members[row[0]]
        # value_1 and value_2: the leaves lifetime_net_revenue (between 300 and ...) and days_since_last_order (> 90).
        assert (row[1], row[2]) == (revenue, days_since_last_order)
        assert 300 <= revenue and days_since_last_order > 90
    assert len(compiled["leaves"]) == len(preview.sample[0]) - 3  # customer_id, leaves, persona, reason


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = segment_preview.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_empty_segment_warns(session: DbtSession, built_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["nobody_at_all", "--database", str(built_database), "--vars", vars_yaml(TEST_VARS)], capsys)
    assert code == 0
    assert re.search(r"^Size: 0 of [1-9]\d* customers \(0\.0%\)\.$", out, re.MULTILINE), out
    assert "warning: nobody_at_all is empty" in out


def test_a_segment_of_everyone_warns(previews: dict) -> None:
    compiled, preview = previews["every_customer"]
    text = segment_preview.format_preview(compiled, preview, "the demo")
    assert preview.size == preview.customers
    assert "warning: every_customer holds every customer" in text
    # Defined after the build: custom_segment_members does not hold it, and the preview says so.
    assert preview.differing == preview.size
    assert "warning: this database's custom_segment_members holds 0 customers for every_customer" in text


def test_an_unknown_name_exits_2_listing_the_names(
        session: DbtSession, built_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["no_such_segment", "--database", str(built_database), "--vars", vars_yaml(TEST_VARS)],
                         capsys)
    assert code == segment_preview.UNKNOWN_NAME == 2
    assert out == ""
    assert "no custom segment named 'no_such_segment'" in err
    for segment in TEST_VARS["segments__custom_segments"]:
        assert segment["name"] in err


def test_a_preview_database_is_read_by_path_and_by_as_of_unchanged(
        session: DbtSession, built_database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A copy of the demo named as `make preview AS_OF=2026-10-31T18:00` names its database."""
    [(members,)] = query(built_database, "select count(*) from main.custom_segment_members"
                                         " where segment_name = 'us_viewed_product_not_bought'")
    preview = tmp_path / "previews" / "20261031T180000.duckdb"
    preview.parent.mkdir()
    shutil.copy(built_database, preview)
    before = hashlib.sha256(preview.read_bytes()).hexdigest()
    for where in (["--database", str(preview)], ["--as-of", "2026-10-31T18:00", "--preview-dir", str(preview.parent)]):
        code, out, _ = run(["us_viewed_product_not_bought", *where, "--vars", vars_yaml(TEST_VARS)], capsys)
        assert code == 0, out
        assert f"Read from {preview}" in out and "as_of 2026-10-31 18:00:00" in out
        assert f"Size: {members} of " in out and "warning" not in out
    assert hashlib.sha256(preview.read_bytes()).hexdigest() == before
    code, _, err = run(["us_viewed_product_not_bought", "--as-of", "2026-06-01", "--preview-dir", str(preview.parent)],
                       capsys)
    assert code == 1 and "20260601T000000.duckdb does not exist" in err
