"""`make diff` shows what a change does at the served as_of before it goes live, and touches nothing
live. One copied checkout, committed as a git repository (the base is a git ref), built and
published once with `make build`, then three diffs against the served build: a var change, a
custom segment edit and no change (about six minutes on the demo)."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from conftest import copy_checkout, run_make
from store_segments.runtime import diff

# The custom segment the edit changes, and its spending floor before and after.
EDITED_SEGMENT = "big_spenders_gone_quiet"
SPEND_FLOOR = 300
EDITED_SPEND_FLOOR = 600
DEMO_RECENT_DAYS = 120
CHANGED_RECENT_DAYS = 60
# The store's vars, given to `make build` and to every `make diff` as a store would: one backfilled
# history point instead of seven keeps the first build short.
STORE_VARS = "DBT_VARS={segments__history_backfill_builds: 1}"


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"{result.stdout[-6000:]}\n{result.stderr[-4000:]}"


def git(checkout: Path, *arguments: str) -> None:
    subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *arguments],
                   cwd=checkout, check=True, capture_output=True)


def live_state(checkout: Path) -> dict[str, Any]:
    """What BI tools and the next build read: the served file's link and bytes, the status record,
    the snapshots kept, and each history model's rows (count and a hash of every row)."""
    published = checkout / "published"
    served = published / "segments.duckdb"
    with duckdb.connect(str(checkout / "segments.duckdb"), read_only=True) as connection:
        history = {
            table: connection.execute(f"select count(*), sum(hash(columns(*))) from {table}").fetchall()
            for table in ("main.segment_history", "main_activation.audience_history")
        }
    return {
        "served_link": str(served.readlink()),
        "served_sha256": hashlib.sha256(served.resolve().read_bytes()).hexdigest(),
        "last_build": (published / "last_build.json").read_text(),
        "snapshots": sorted(path.name for path in (published / "snapshots").iterdir()),
        "history": history,
    }


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = copy_checkout(tmp_path_factory.mktemp("diff") / "checkout")
    git(path, "init", "--quiet")
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "-m", "the demo")
    built = run_make(path, "build", STORE_VARS)
    assert built.returncode == 0, output(built)
    return path


@pytest.fixture(scope="module")
def live_before(checkout: Path) -> dict[str, Any]:
    return live_state(checkout)


def last_report(checkout: Path) -> tuple[str, dict[str, Any]]:
    """The Markdown and JSON of the latest diff."""
    latest = sorted((checkout / "diff").glob("*.json"))[-1]
    return latest.with_suffix(".md").read_text(), json.loads(latest.read_text())


def served_customers(checkout: Path, where: str) -> set[str]:
    with duckdb.connect(str(checkout / "published" / "segments.duckdb"), read_only=True) as connection:
        return {str(row[0]) for row in connection.execute(f"select customer_id from customer_facts where {where}").fetchall()}


def revenue_365d(checkout: Path, customer_ids: list[str]) -> float:
    """Net revenue of the customers' valid orders in the 365 days before as_of, from the work database."""
    with duckdb.connect(str(checkout / "segments.duckdb"), read_only=True) as connection:
        found = connection.execute(
            "select sum(net_revenue) from main_intermediate.int_orders where is_valid_order "
            "and date_diff('day', ordered_at, (select as_of from main_intermediate.int_as_of)) <= 365 "
            "and customer_id in (select unnest(?::varchar[]))", [customer_ids]).fetchone()
    return round(float(found[0]), 2) if found and found[0] is not None else 0.0


def moved_customers(report: dict[str, Any], family: str) -> set[str]:
    return {customer for segment in report["segments"] if segment["family"] == family
            for customer in segment["entered_customers"] + segment["left_customers"]}


def test_a_var_change_moves_the_customers_it_should_and_names_them(checkout: Path, live_before: dict[str, Any]) -> None:
    # live_before: what is live is read before the first diff, for the last test to compare.
    result = run_make(checkout, "diff", STORE_VARS, f"VARS={{segments__purchase_recent_days: {CHANGED_RECENT_DAYS}}}",
                      "FAIL_ABOVE=0.2")
    markdown, report = last_report(checkout)
    # Purchased recently = last valid order within purchase_recent_days: at 60 instead of 120, exactly
    # the purchasers whose last order is 61 to 120 days old change purchase persona, and no one else.
    window = served_customers(checkout, f"days_since_last_order > {CHANGED_RECENT_DAYS} "
                                        f"and days_since_last_order <= {DEMO_RECENT_DAYS}")
    assert window
    assert moved_customers(report, "purchase_persona") == window
    assert {s["family"] for s in report["segments"] if s["moved"]} <= {
        "purchase_persona", "audience email", "audience ads"}
    # The served build's vars before, the store's vars and VARS over them after.
    assert report["base_vars"]["segments__history_backfill_builds"] == report["change_vars"]["segments__history_backfill_builds"] == 1
    assert report["change_vars"]["segments__purchase_recent_days"] == CHANGED_RECENT_DAYS
    assert "segments__purchase_recent_days" not in report["base_vars"]
    # The Markdown is printed and names a sample of the moved customers with what decided.
    assert "### Segments:" in result.stdout and "| purchase_persona | Potential Brand Enthusiasts |" in result.stdout
    sampled = [s for s in report["samples"] if s["family"] == "purchase_persona"]
    assert sampled and all(s["customer_id"] in window and s["customer_id"] in markdown for s in sampled)
    assert all("days_since_last_order=" in (s["entered_because_before"] or s["entered_because_after"]) for s in sampled)
    per_segment = max(sum(1 for s in sampled if s["segment"] == name) for name in {s["segment"] for s in sampled})
    assert per_segment == 5
    # Money at stake: the net revenue of the movers' valid orders in the 365 days before as_of.
    segments = {(s["family"], s["segment"]): s for s in report["segments"]}
    high_rollers = segments[("purchase_persona", "High Rollers")]
    assert high_rollers["left"] > 0 and high_rollers["revenue_left"] == revenue_365d(checkout, high_rollers["left_customers"])
    # High Rollers whose last order is no longer recent are Lost High Rollers, with their money.
    lost = segments[("purchase_persona", "Lost High Rollers")]
    assert lost["entered_customers"] == high_rollers["left_customers"]
    assert lost["revenue_entered"] == high_rollers["revenue_left"]
    # The tables are compared row for row; customer_facts does not depend on the var.
    tables = {table["table"]: table for table in report["tables"]}
    assert tables["main.segment_memberships"]["removed"] > 0
    assert "main.customer_facts" in report["unchanged_tables"]
    # The gate: Potential Brand Enthusiasts lose about half their members, above 20 %.
    assert result.returncode != 0 and f"Error {diff.GATE_EXIT}" in result.stderr, output(result)
    assert "FAIL: entered plus left above 20% of the members before" in result.stderr
    potential = segments[("purchase_persona", "Potential Brand Enthusiasts")]
    assert potential["moved"] > 0.2 * potential["before"]
    assert f"purchase_persona / Potential Brand Enthusiasts ({potential['moved']} of {potential['before']})" in result.stderr


def test_a_custom_segment_edit_moves_only_that_segment(checkout: Path) -> None:
    definitions = yaml.safe_load((checkout / "dbt_project.yml").read_text())["vars"]["segments__custom_segments"]
    edited = next(d for d in definitions if d["name"] == EDITED_SEGMENT)
    floor = next(c for c in edited["condition"]["all"] if c.get("attribute") == "lifetime_net_revenue")
    assert floor["value"][0] == SPEND_FLOOR
    floor["value"][0] = EDITED_SPEND_FLOOR
    custom_vars = json.dumps({"segments__custom_segments": definitions})
    result = run_make(checkout, "diff", STORE_VARS, f"VARS={custom_vars}")
    assert result.returncode == 0, output(result)
    # The base is the served build again: built by the first diff, reused.
    assert "(cached)" in result.stdout
    _, report = last_report(checkout)
    moved = {(s["family"], s["segment"]) for s in report["segments"] if s["moved"]}
    assert ("custom", EDITED_SEGMENT) in moved
    assert moved <= {("custom", EDITED_SEGMENT), ("audience email", f"custom: {EDITED_SEGMENT}"),
                     ("audience ads", f"custom: {EDITED_SEGMENT}")}
    # Spending 300 to 600 is what the edit takes out: every customer who left spent that much.
    left = moved_customers(report, "custom")
    spent = served_customers(checkout, f"lifetime_net_revenue >= {SPEND_FLOOR} "
                                       f"and lifetime_net_revenue < {EDITED_SPEND_FLOOR}")
    assert left and left <= spent
    assert all(s["moved"] == "left" for s in report["samples"])


def test_no_change_says_so_in_one_line(checkout: Path) -> None:
    result = run_make(checkout, "diff", STORE_VARS, "FAIL_ABOVE=0.2")
    assert result.returncode == 0, output(result)
    markdown, report = last_report(checkout)
    assert report["no_change"] is True
    assert markdown.count("\n") == 1 and markdown.startswith("No change:"), markdown
    assert markdown.strip() in result.stdout


def test_the_served_snapshot_and_the_history_are_untouched(checkout: Path, live_before: dict[str, Any]) -> None:
    assert live_state(checkout) == live_before
    assert not list(Path(checkout).glob(".git/worktrees/*")), "a base checkout was left behind"


def test_the_gate_counts_a_segment_that_was_empty_as_moved_entirely() -> None:
    empty_before = diff.SegmentMove("custom", "new", before=0, after=3, entered=3, left=0, stayed=0,
                                    revenue_entered=0.0, revenue_left=0.0)
    unmoved = diff.SegmentMove("custom", "same", before=0, after=0, entered=0, left=0, stayed=0,
                               revenue_entered=0.0, revenue_left=0.0)
    assert empty_before.share == math.inf and unmoved.share == 0.0
    report = diff.Report(as_of=None, base="b", change="c", base_vars={}, change_vars={}, segments=[empty_before, unmoved],
                         journeys=[], tables=[], tables_only_in_base=[], tables_only_in_change=[], samples=[])
    assert diff.gate_failures(report, 0.99) == [empty_before]


def test_a_base_with_other_requirements_runs_in_its_own_cached_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, base = tmp_path / "repo", tmp_path / "base"
    for folder, pins in ((repo, "dbt-core==1.11.0\n"), (base, "dbt-core==1.10.0\n")):
        folder.mkdir()
        (folder / "requirements.txt").write_text(pins)
    cached = tmp_path / "envs" / hashlib.sha256(b"dbt-core==1.10.0\n").hexdigest()
    (cached / "bin").mkdir(parents=True)
    (cached / ".installed").touch()
    monkeypatch.setattr(diff, "ENV_CACHE", tmp_path / "envs")
    assert diff.dbt_for(base, repo) == cached / "bin" / "dbt"
    (base / "requirements.txt").write_text("dbt-core==1.11.0\n")
    assert diff.dbt_for(base, repo) == Path(sys.executable).with_name("dbt")
