"""Tests of src/store_segments/generators/generate_demo_data.py.

They check what the dbt project relies on: the same bytes every run (and in the committed
seeds), the docs/definitions.md §2 columns, the volumes, END as the single latest instant, every kind of
dirt at its documented count, the planted customers, and that all 15 personas are populated.

Persona coverage is checked twice: by the generator's own archetype labels, and by a small
reference classifier written here from SPEC sections 1 and 5 that reads only the CSVs. The second
check is what makes the personas *real*: labels alone could drift away from the data.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

from store_segments.generators import generate_demo_data as gen

ROOT = Path(__file__).resolve().parent.parent
COMMITTED_SEEDS = ROOT / "seeds"
COMMAND = ("-m", "store_segments.cli", "generate-demo-data")

VOLUMES: dict[str, tuple[int, int]] = {
    "raw_customers": (2300, 2500),
    "raw_products": (55, 65),
    "raw_orders": (6000, 8000),
    "raw_order_items": (10000, 14500),
    "raw_email_messages": (90, 110),
    "raw_email_events": (80000, 95000),
    # The planted abandoned carts of the journey lift add about 4,000 (journey_effects.py).
    "raw_web_events": (30000, 44000),
}
MAX_TOTAL_ROWS = 170_000

VALID_STATUSES = ("placed", "fulfilled", "shipped", "delivered", "refunded")
KNOWN_STATUSES = VALID_STATUSES + ("cancelled",)
EMAIL_TYPES = ("sent", "delivered", "bounced", "opened", "clicked", "unsubscribed",
               "marked_as_spam")
WEB_TYPES = ("page_view", "category_view", "product_view", "add_to_cart", "checkout_started",
             "order_completed")
PRODUCT_INTEREST = ("product_view", "add_to_cart", "checkout_started")
CONSENT_REQUIRED = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
                    "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES",
                    "SE", "IS", "LI", "NO", "GB", "CH"}
MACHINE_UA_PATTERNS = ("apple mail privacy protection", "mail privacy protection")
OFFSET_RE = re.compile(r"[+-]\d\d:\d\d$")

# docs/definitions.md §4, first match wins: (name, r range, f range, m range).
RFM_SEGMENTS: tuple[tuple[str, tuple[int, int], tuple[int, int], tuple[int, int]], ...] = (
    ("Champions", (4, 5), (4, 5), (4, 5)),
    ("Loyal Customers", (2, 5), (3, 5), (3, 5)),
    ("New Customers", (4, 5), (1, 1), (1, 1)),
    ("Promising", (3, 4), (1, 1), (1, 1)),
    ("Potential Loyalist", (3, 5), (1, 3), (1, 3)),
    ("Need Attention", (2, 3), (2, 3), (2, 3)),
    ("About To Sleep", (2, 3), (1, 2), (1, 2)),
    ("Can't Lose Them", (1, 1), (4, 5), (4, 5)),
    ("At Risk", (1, 2), (2, 5), (2, 5)),
    ("Lost", (1, 1), (1, 1), (1, 1)),
    ("Hibernating", (1, 2), (1, 2), (1, 2)),
)


# ------------------------------------------------------------------------------------------
# Fixtures: one in-process dataset written to disk, and a second independent run
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A second, independent run: the CLI in its own process, started first so that it runs
    while this process builds the in-memory dataset (keeps the file well under 10 s)."""
    out = tmp_path_factory.mktemp("run_b")
    process = subprocess.Popen([sys.executable, *COMMAND, "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT)
    yield out, process
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def dataset(cli_run: tuple[Path, subprocess.Popen[str]]) -> gen.Dataset:
    """The generator's output in memory (with its archetype labels)."""
    return gen.build_dataset()


@pytest.fixture(scope="module")
def run_a(dataset: gen.Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The in-memory dataset written as seeds."""
    out = tmp_path_factory.mktemp("run_a")
    gen.write_dataset(dataset, out)
    return out


@pytest.fixture(scope="module")
def run_b(cli_run: tuple[Path, subprocess.Popen[str]]) -> Path:
    """The CLI run's output directory, once the process has finished."""
    out, process = cli_run
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    lines = stdout.splitlines()
    assert len(lines) == len(gen.TABLE_NAMES)
    for line, name in zip(lines, gen.TABLE_NAMES):
        assert re.fullmatch(rf".*{name}\.csv: \d+ rows", line), line
    return out


Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def tables(run_a: Path) -> dict[str, Rows]:
    """Every seed read back as dicts, exactly as dbt would load the text."""
    result: dict[str, Rows] = {}
    for name in gen.TABLE_NAMES:
        with (run_a / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            result[name] = list(csv.DictReader(handle))
    return result


TIMESTAMP_COLUMNS: tuple[tuple[str, str], ...] = (
    ("raw_customers", "created_at"), ("raw_orders", "ordered_at"),
    ("raw_email_events", "occurred_at"), ("raw_web_events", "occurred_at"))
Stamps = dict[str, list[datetime | None]]


@pytest.fixture(scope="module")
def stamps(tables: dict[str, Rows]) -> Stamps:
    """Every timestamp column parsed once (naive UTC, None when unparseable), row-aligned."""
    return {name: [parse_ts(r[column]) for r in tables[name]]
            for name, column in TIMESTAMP_COLUMNS}


def parse_ts(value: str) -> datetime | None:
    """A raw timestamp as naive UTC; None when it does not parse."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def parse_money(value: str) -> float | None:
    """A decimal amount; None when empty or not a number."""
    try:
        return float(value.strip())
    except ValueError:
        return None


def duplicate_rows(rows: Rows) -> int:
    """Rows that repeat an earlier row in every column."""
    return len(rows) - len({tuple(r.values()) for r in rows})


# ------------------------------------------------------------------------------------------
# Determinism, shape, volumes
# ------------------------------------------------------------------------------------------


def test_two_runs_are_byte_identical(run_a: Path, run_b: Path) -> None:
    for name in gen.TABLE_NAMES:
        assert (run_a / f"{name}.csv").read_bytes() == (run_b / f"{name}.csv").read_bytes(), name


def test_committed_seeds_match_the_generator(run_a: Path) -> None:
    for name in gen.TABLE_NAMES:
        committed = COMMITTED_SEEDS / f"{name}.csv"
        assert committed.exists(), f"{committed} missing: run make seeds"
        assert committed.read_bytes() == (run_a / f"{name}.csv").read_bytes(), (
            f"{committed} is stale: run make seeds")


def test_headers_match_the_contract(run_a: Path) -> None:
    expected = {
        "raw_customers": "customer_id,email,first_name,last_name,country_code,created_at,"
                         "email_consent,tracking_consent,birth_date,acquisition_source",
        "raw_products": "product_id,product_name,category,price,replenishment_days",
        "raw_orders": "order_id,customer_id,ordered_at,status,currency,subtotal,discount,"
                      "shipping,total,refunded_amount",
        "raw_order_items": "order_id,line_number,product_id,quantity,unit_price",
        "raw_email_messages": "message_id,message_type,campaign_or_flow_name,flow_step,"
                              "ab_test_id,variant,subject,sent_at",
        "raw_email_events": "event_id,message_id,customer_id,event_type,occurred_at,"
                            "bounce_type,user_agent,is_machine_open",
        "raw_web_events": "event_id,session_id,customer_id,anonymous_id,event_type,product_id,"
                          "occurred_at",
        "raw_exchange_rates": "currency,rate_date,rate_to_reporting",
    }
    assert set(expected) == set(gen.TABLE_NAMES)
    for name, header in expected.items():
        first_line = (run_a / f"{name}.csv").read_bytes().split(b"\n", 1)[0]
        assert first_line == header.encode("utf-8"), name


def test_files_are_utf8_with_unix_line_ends(run_a: Path) -> None:
    for name in gen.TABLE_NAMES:
        data = (run_a / f"{name}.csv").read_bytes()
        assert b"\r" not in data, name
        data.decode("utf-8")


def test_volumes(tables: dict[str, Rows]) -> None:
    for name, (low, high) in VOLUMES.items():
        assert low <= len(tables[name]) <= high, (name, len(tables[name]))
    assert sum(len(rows) for rows in tables.values()) <= MAX_TOTAL_ROWS


# ------------------------------------------------------------------------------------------
# Time frame
# ------------------------------------------------------------------------------------------


def test_end_is_the_single_latest_instant(tables: dict[str, Rows], stamps: Stamps) -> None:
    parsed = [ts for name in ("raw_orders", "raw_email_events", "raw_web_events")
              for ts in stamps[name] if ts is not None]
    assert max(parsed) == gen.END
    assert parsed.count(gen.END) == 1
    at_end = [r for r in tables["raw_web_events"] if r["occurred_at"] == "2026-10-31 18:00:00"]
    assert [(r["customer_id"], r["event_type"]) for r in at_end] == [
        ("planted-high-roller", "page_view")]


def test_no_wall_clock_passes_end(tables: dict[str, Rows]) -> None:
    """An offset timestamp must not be after END read either way (UTC or local wall clock)."""
    for name, column in TIMESTAMP_COLUMNS:
        for row in tables[name]:
            text = row[column]
            if OFFSET_RE.search(text):
                wall = datetime.fromisoformat(text).replace(tzinfo=None)
                assert wall <= gen.END, (name, text)


def test_everything_within_the_frame(stamps: Stamps) -> None:
    for name, _ in TIMESTAMP_COLUMNS:
        parsed = [ts for ts in stamps[name] if ts is not None]
        assert gen.START <= min(parsed), name
        assert max(parsed) <= gen.END, name


def test_timestamp_formats_are_mixed(tables: dict[str, Rows]) -> None:
    for name, column in (("raw_orders", "ordered_at"), ("raw_email_events", "occurred_at"),
                         ("raw_web_events", "occurred_at")):
        values = [r[column] for r in tables[name]]
        z_share = sum(v.endswith("Z") for v in values) / len(values)
        offset_share = sum(bool(OFFSET_RE.search(v)) for v in values) / len(values)
        assert 0.07 <= z_share <= 0.13, (name, z_share)
        assert 0.07 <= offset_share <= 0.13, (name, offset_share)


# ------------------------------------------------------------------------------------------
# Dirt
# ------------------------------------------------------------------------------------------


def test_docstring_lists_every_dirt_count() -> None:
    assert gen.__doc__ is not None
    for kind, count in gen.DIRT.items():
        assert f"- {kind}: {count}" in gen.__doc__, kind


def test_dirt_minimums_of_the_brief() -> None:
    assert all(count >= 10 for kind, count in gen.DIRT.items()
               if kind not in ("customers_unparseable_created_at", "orders_unknown_status",
                               "orders_missing_customer", "order_items_unknown_order",
                               "order_items_non_positive_quantity", "orders_conflicting_copies",
                               "email_events_conflicting_copies", "web_events_conflicting_copies"))
    assert gen.DIRT["customers_unparseable_created_at"] == 3
    assert gen.DIRT["orders_unknown_customer"] >= 20
    assert gen.DIRT["email_events_unknown_customer"] >= 50


def test_customer_dirt(tables: dict[str, Rows], stamps: Stamps) -> None:
    rows = tables["raw_customers"]
    dirt = gen.DIRT
    assert duplicate_rows(rows) == dirt["customers_duplicate_rows"]
    ids = Counter(r["customer_id"] for r in rows)
    assert sum(n - 1 for n in ids.values()) == dirt["customers_duplicate_rows"]
    countries = [r["country_code"] for r in rows]
    assert sum(c != c.strip().upper() for c in countries) == dirt["customers_mixed_case_country"]
    consents = [r["email_consent"] for r in rows]
    assert all(c.strip().lower() in ("subscribed", "unsubscribed", "never_subscribed")
               for c in consents)
    assert sum(c != c.strip().lower() for c in consents) == \
        dirt["customers_mixed_case_email_consent"]
    tracking = [r["tracking_consent"] for r in rows]
    assert all(t.lower() in ("true", "false") for t in tracking)
    assert sum(t not in ("true", "false") for t in tracking) == \
        dirt["customers_mixed_case_tracking_consent"]
    assert stamps["raw_customers"].count(None) == dirt["customers_unparseable_created_at"]
    assert "00017" in ids and "17" in ids
    plain_ids = [i for i in ids if not i.startswith("planted-") and i not in ("00017", "17")]
    assert all(re.fullmatch(r"C\d{6}", i) for i in plain_ids)


def test_order_dirt(tables: dict[str, Rows], stamps: Stamps) -> None:
    rows = tables["raw_orders"]
    dirt = gen.DIRT
    customers = {r["customer_id"] for r in tables["raw_customers"]}
    assert duplicate_rows(rows) == dirt["orders_duplicate_rows"]
    statuses = [r["status"] for r in rows]
    assert sum(s != s.strip().lower() and s.strip().lower() in KNOWN_STATUSES
               for s in statuses) == dirt["orders_mixed_case_status"]
    assert statuses.count("on_hold") == dirt["orders_unknown_status"]
    assert stamps["raw_orders"].count(None) == dirt["orders_unparseable_ordered_at"]
    totals = [parse_money(r["total"]) for r in rows]
    assert sum(t is not None and t < 0 for t in totals) == dirt["orders_negative_total"]
    assert sum(r["total"] == "" for r in rows) == dirt["orders_missing_total"]
    assert sum(r["customer_id"] != "" and r["customer_id"] not in customers for r in rows) == \
        dirt["orders_unknown_customer"]
    assert sum(r["customer_id"] == "" for r in rows) == dirt["orders_missing_customer"]
    moved = conflicting_ids(rows, "order_id")
    assert len(moved) == dirt["orders_conflicting_copies"]
    assert all(r["customer_id"] in customers for r in rows if r["order_id"] in moved)


def test_order_amounts_are_consistent(tables: dict[str, Rows]) -> None:
    rows = tables["raw_orders"]
    money_re = re.compile(r"-?\d+\.\d\d")
    status_counts = Counter(r["status"].strip().lower() for r in rows)
    assert status_counts.most_common(1)[0][0] == "placed"
    for row in rows:
        total = parse_money(row["total"])
        if total is None or total < 0:
            continue
        assert money_re.fullmatch(row["total"]) and money_re.fullmatch(row["subtotal"])
        subtotal, discount, shipping = (parse_money(row[c]) for c in ("subtotal", "discount",
                                                                       "shipping"))
        assert subtotal is not None and discount is not None and shipping is not None
        assert abs(total - (subtotal - discount + shipping)) < 0.005, row["order_id"]
        assert row["refunded_amount"] in ("", "0.00") or row["status"] == "refunded"
    full = [r for r in rows if r["status"] == "refunded" and r["refunded_amount"] == r["total"]]
    partial = [r for r in rows if r["status"] == "refunded" and r["refunded_amount"] != r["total"]]
    free = [r for r in rows if r["total"] == "0.00"]
    cancelled = status_counts["cancelled"]
    assert 0.005 <= len(full) / len(rows) <= 0.02
    assert 0.01 <= len(partial) / len(rows) <= 0.03
    assert 0.02 <= cancelled / len(rows) <= 0.04
    assert 5 <= len(free) and all(r["refunded_amount"] in ("", "0.00") for r in free)
    currencies = {r["currency"] for r in rows}
    assert currencies == {"USD", "EUR"}


def test_order_item_dirt(tables: dict[str, Rows]) -> None:
    orders = {r["order_id"] for r in tables["raw_orders"]}
    items = tables["raw_order_items"]
    assert sum(r["order_id"] not in orders for r in items) == gen.DIRT["order_items_unknown_order"]
    assert sum(int(r["quantity"]) <= 0 for r in items) == \
        gen.DIRT["order_items_non_positive_quantity"]
    lines = Counter(r["order_id"] for r in items if r["order_id"] in orders)
    assert set(lines.values()) <= {1, 2, 3}


def test_email_event_dirt(tables: dict[str, Rows], stamps: Stamps) -> None:
    rows = tables["raw_email_events"]
    dirt = gen.DIRT
    customers = {r["customer_id"] for r in tables["raw_customers"]}
    assert duplicate_rows(rows) == dirt["email_events_duplicate_rows"]
    assert len(rows) - len({r["event_id"] for r in rows}) == \
        dirt["email_events_duplicate_rows"] + dirt["email_events_conflicting_copies"]
    moved = conflicting_ids(rows, "event_id")
    assert len(moved) == dirt["email_events_conflicting_copies"]
    assert all(r["customer_id"] in customers for r in rows if r["event_id"] in moved)
    types = [r["event_type"] for r in rows]
    assert sum(t != t.strip().lower() and t.strip().lower() in EMAIL_TYPES for t in types) == \
        dirt["email_events_mixed_case_type"]
    assert "Opened" in types and "CLICKED" in types
    assert types.count("forwarded") == dirt["email_events_unknown_type"]
    assert stamps["raw_email_events"].count(None) == dirt["email_events_unparseable_occurred_at"]
    assert sum(r["customer_id"] not in customers for r in rows) == \
        dirt["email_events_unknown_customer"]


def test_web_event_dirt(tables: dict[str, Rows], stamps: Stamps) -> None:
    rows = tables["raw_web_events"]
    dirt = gen.DIRT
    customers = {r["customer_id"] for r in tables["raw_customers"]}
    assert duplicate_rows(rows) == dirt["web_events_duplicate_rows"]
    types = [r["event_type"] for r in rows]
    assert sum(t != t.strip().lower() and t.strip().lower() in WEB_TYPES for t in types) == \
        dirt["web_events_mixed_case_type"]
    assert "Product_View" in types
    assert types.count("wishlist_add") == dirt["web_events_unknown_type"]
    assert stamps["raw_web_events"].count(None) == dirt["web_events_unparseable_occurred_at"]
    moved = conflicting_ids(rows, "event_id")
    assert len(moved) == dirt["web_events_conflicting_copies"]
    assert all(r["customer_id"] == "" or r["customer_id"] in customers
               for r in rows if r["event_id"] in moved)
    assert sum(r["customer_id"] != "" and r["customer_id"] not in customers for r in rows) == \
        dirt["web_events_unknown_customer"]
    sessions = {r["session_id"] for r in rows}
    anonymous = {r["session_id"] for r in rows if r["customer_id"] == ""}
    assert 0.25 <= len(anonymous) / len(sessions) <= 0.35
    assert all(r["anonymous_id"] for r in rows)


def test_dirt_never_touches_planted_rows(tables: dict[str, Rows]) -> None:
    planted = set(gen.PLANTED)
    for name, column in (("raw_orders", "ordered_at"), ("raw_email_events", "occurred_at"),
                         ("raw_web_events", "occurred_at"), ("raw_customers", "created_at")):
        rows = [r for r in tables[name] if r["customer_id"] in planted]
        assert rows, name
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r[column]) for r in rows), name
        assert duplicate_rows(rows) == 0, name
    for row in tables["raw_orders"]:
        if row["customer_id"] in planted:
            assert (row["status"], row["currency"], row["discount"], row["shipping"],
                    row["refunded_amount"]) == ("placed", "USD", "0.00", "0.00", "")
            assert row["subtotal"] == row["total"]


# ------------------------------------------------------------------------------------------
# Email and web shape
# ------------------------------------------------------------------------------------------


def test_messages(tables: dict[str, Rows]) -> None:
    rows = tables["raw_email_messages"]
    campaigns = [r for r in rows if r["message_type"] == "campaign"]
    assert 85 <= len({r["campaign_or_flow_name"] for r in campaigns}) <= 100
    tests = defaultdict(list)
    for r in campaigns:
        if r["ab_test_id"]:
            tests[r["ab_test_id"]].append(r)
    assert sorted(tests) == sorted(t.test_id for t in gen.AB_TESTS)
    for variants in tests.values():
        assert sorted(v["variant"] for v in variants) == ["A", "B"]
        assert len({v["campaign_or_flow_name"] for v in variants}) == 1
    # What each test varies: the subject line, the send time, or neither (the call to action).
    varied = {test_id: (len({v["subject"] for v in variants}), len({v["sent_at"] for v in variants}))
              for test_id, variants in tests.items()}
    assert varied == {"ab-summer-subject-line": (2, 1), "ab-send-time-3pm": (1, 2),
                      "ab-cta-button-colour": (1, 1)}
    targeted = {r["campaign_or_flow_name"] for r in campaigns if "Win-back:" in r["campaign_or_flow_name"]}
    assert len(targeted) == len(gen.TARGETED_CAMPAIGNS)
    flows = Counter(r["campaign_or_flow_name"] for r in rows if r["message_type"] == "flow")
    assert flows == {"Welcome Series": 3, "Abandoned Cart": 2, "Win-back": 3}
    assert all(r["flow_step"] == "" for r in campaigns)
    assert [r["message_id"] for r in rows] == [f"M-{i:04d}" for i in range(1, len(rows) + 1)]


def test_every_ab_test_has_a_metric_in_the_reference_seed() -> None:
    with (ROOT / "seeds" / "reference" / "ab_test_metrics.csv").open(encoding="utf-8") as handle:
        metrics = {r["ab_test_id"]: r["metric"] for r in csv.DictReader(handle)}
    assert set(metrics) == {t.test_id for t in gen.AB_TESTS}


def test_targeted_campaigns_reach_their_archetype_and_opt_outs_get_nothing_later(
        dataset: gen.Dataset, tables: dict[str, Rows], stamps: Stamps) -> None:
    """The win-back campaigns that break the deliverability floors: sent to one archetype each,
    with the planned opt-outs, and nobody who opts out there is sent another email afterwards."""
    messages = {r["message_id"]: r for r in tables["raw_email_messages"]}
    rows = list(zip(tables["raw_email_events"], stamps["raw_email_events"]))
    for targeted in gen.TARGETED_CAMPAIGNS:
        ids = {m for m, r in messages.items() if r["campaign_or_flow_name"].endswith(targeted.name)}
        assert len(ids) == 1
        events = [(r, ts) for r, ts in rows if r["message_id"] in ids]
        recipients = {r["customer_id"] for r, _ in events}
        assert len(recipients) >= 50
        assert {dataset.archetypes[c] for c in recipients} == {targeted.archetype}
        kinds = Counter(r["event_type"] for r, _ in events)
        assert kinds["unsubscribed"] == targeted.unsubscribes
        assert kinds["marked_as_spam"] == targeted.spam_complaints
        if not targeted.human_opens:
            assert kinds["clicked"] == 0
        for opt_out, at in ((r, ts) for r, ts in events
                            if r["event_type"] in ("unsubscribed", "marked_as_spam")):
            later = [ts for r, ts in rows if r["customer_id"] == opt_out["customer_id"]
                     and r["message_id"] not in ids and ts is not None and at is not None
                     and ts > at]
            assert not later, opt_out["customer_id"]


def test_machine_opens_come_three_ways_and_humans_wait(tables: dict[str, Rows],
                                                       stamps: Stamps) -> None:
    rows = list(zip(tables["raw_email_events"], stamps["raw_email_events"]))
    delivered: dict[tuple[str, str], datetime] = {}
    for r, ts in rows:
        if r["event_type"].strip().lower() == "delivered" and ts is not None:
            key = (r["message_id"], r["customer_id"])
            delivered[key] = min(ts, delivered.get(key, ts))
    styles: Counter[str] = Counter()
    for r, ts in rows:
        if r["event_type"].strip().lower() != "opened":
            continue
        assert ts is not None
        gap = ts - delivered[(r["message_id"], r["customer_id"])]
        if r["is_machine_open"] == "true":
            styles["flag"] += 1
            assert gap.total_seconds() <= 1
        elif "Apple Mail Privacy Protection" in r["user_agent"]:
            styles["user_agent"] += 1
            assert gap.total_seconds() <= 1
        elif gap.total_seconds() < 2:
            styles["timing"] += 1
        else:
            styles["human"] += 1
            assert gap.total_seconds() >= 60
            assert r["is_machine_open"] in ("false", "")
    machine = styles["flag"] + styles["user_agent"] + styles["timing"]
    for style in ("flag", "user_agent", "timing"):
        assert 0.28 <= styles[style] / machine <= 0.38, styles


# ------------------------------------------------------------------------------------------
# Reference classifier (SPEC sections 1, 3, 4, 5) over the CSVs
# ------------------------------------------------------------------------------------------


@dataclass
class Facts:
    """What docs/definitions.md §5 needs of one customer."""

    created_at: datetime
    country: str
    tracking: bool
    orders: list[tuple[datetime, float]] = field(default_factory=list)  # valid: (at, net)
    email_engagements: list[datetime] = field(default_factory=list)
    site_events: list[tuple[datetime, str]] = field(default_factory=list)  # counted only


@dataclass
class Reference:
    """The reference classifier's view of the seeds."""

    personas: dict[str, str]
    facts: dict[str, Facts]
    as_of: datetime
    store_aov: float


def conflicting_ids(rows: Rows, id_column: str) -> set[str]:
    """Ids whose copies name different customers: staging stages none of them."""
    customers: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        customers[r[id_column]].add(r["customer_id"].strip())
    return {row_id for row_id, named in customers.items() if len(named) > 1}


def load_facts(tables: dict[str, Rows], stamps: Stamps) -> tuple[dict[str, Facts], datetime, float]:
    """Customers' facts as staging would see them, the as_of instant and the store AOV."""
    facts: dict[str, Facts] = {}
    for r, created in zip(tables["raw_customers"], stamps["raw_customers"]):
        customer_id = r["customer_id"].strip()
        if created is None or customer_id in facts:
            continue
        facts[customer_id] = Facts(created, r["country_code"].strip().upper(),
                                   r["tracking_consent"].strip().lower() == "true")
    latest: list[datetime] = []
    seen: set[str] = conflicting_ids(tables["raw_orders"], "order_id")
    revenue, count = 0.0, 0
    for r, at in zip(tables["raw_orders"], stamps["raw_orders"]):
        total = parse_money(r["total"])
        status = r["status"].strip().lower()
        customer = facts.get(r["customer_id"].strip())
        if (r["order_id"] in seen or at is None or total is None or total < 0
                or status not in KNOWN_STATUSES or customer is None):
            continue
        seen.add(r["order_id"])
        latest.append(at)
        refunded = parse_money(r["refunded_amount"]) or 0.0
        if status == "cancelled" or (total > 0 and refunded >= total):
            continue
        net = max(0.0, total - refunded)
        customer.orders.append((at, net))
        revenue, count = revenue + net, count + 1
    events = list(zip(tables["raw_email_events"], stamps["raw_email_events"]))
    deliveries: dict[tuple[str, str], datetime] = {}
    seen = conflicting_ids(tables["raw_email_events"], "event_id")
    for r, ts in events:
        if r["event_type"].strip().lower() == "delivered" and ts is not None:
            key = (r["message_id"], r["customer_id"])
            deliveries[key] = min(ts, deliveries.get(key, ts))
    for r, ts in events:
        kind = r["event_type"].strip().lower()
        if r["event_id"] in seen or ts is None or kind not in EMAIL_TYPES:
            continue
        seen.add(r["event_id"])
        latest.append(ts)
        customer = facts.get(r["customer_id"].strip())
        if customer is None or kind not in ("opened", "clicked"):
            continue
        if kind == "opened":
            delivered = deliveries.get((r["message_id"], r["customer_id"]))
            ua = r["user_agent"].lower()
            if (r["is_machine_open"].strip().lower() == "true"
                    or any(p in ua for p in MACHINE_UA_PATTERNS)
                    or (delivered is not None and (ts - delivered).total_seconds() < 2)):
                continue
        customer.email_engagements.append(ts)
    seen = conflicting_ids(tables["raw_web_events"], "event_id")
    for r, ts in zip(tables["raw_web_events"], stamps["raw_web_events"]):
        kind = r["event_type"].strip().lower()
        if r["event_id"] in seen or ts is None or kind not in WEB_TYPES:
            continue
        seen.add(r["event_id"])
        latest.append(ts)
        customer = facts.get(r["customer_id"].strip())
        if customer is not None and (customer.country not in CONSENT_REQUIRED or customer.tracking):
            customer.site_events.append((ts, kind))
    return facts, max(latest), revenue / count


def classify(f: Facts, as_of: date, store_aov: float) -> str:
    """The primary persona of docs/definitions.md §5 (precedence as listed there)."""
    def days(ts: datetime) -> int:
        return (as_of - ts.date()).days

    valid = len(f.orders)
    email_90 = sum(days(ts) <= 90 for ts in f.email_engagements)
    email_before = sum(days(ts) > 90 for ts in f.email_engagements)
    email_30 = sum(days(ts) <= 30 for ts in f.email_engagements)
    site_90 = sum(days(ts) <= 90 for ts, _ in f.site_events)
    interest_90 = sum(days(ts) <= 90 and kind in PRODUCT_INTEREST for ts, kind in f.site_events)
    created_days = days(f.created_at)
    if valid:
        last = min(days(at) for at, _ in f.orders)
        high = sum(net for _, net in f.orders) / valid > store_aov
        frequent = valid >= 3
        if last <= 120:
            return {(True, True): gen.HIGH_ROLLERS, (True, False): gen.BRAND_ENTHUSIASTS,
                    (False, True): gen.POTENTIAL_HIGH_ROLLERS,
                    (False, False): gen.POTENTIAL_BRAND_ENTHUSIASTS}[(frequent, high)]
        if last <= 395:
            if frequent:
                return gen.LOST_HIGH_ROLLERS if high else gen.LAPSED_ENTHUSIASTS
            if high:
                return gen.ONE_HIT_WONDERS
            if last >= 181:
                return gen.JUST_PASSING_THROUGH
    else:
        if email_90 >= 3:
            return gen.ALMOST_THERE
        if interest_90:
            return gen.WINDOW_SHOPPERS
        if email_90:
            return gen.WAITING_FOR_WOWS
    recent_order = any(days(at) <= 30 for at, _ in f.orders)
    if email_30 and not recent_order:
        return gen.ESPRESSO_SHOT
    if not email_90 and email_before >= 3 and created_days > 90:
        return gen.FALSE_STARTS
    if (not any(days(at) <= 395 for at, _ in f.orders) and not email_90 and not site_90
            and created_days > 90):
        return gen.DEAD_WEIGHT
    return gen.UNCLASSIFIED


@pytest.fixture(scope="module")
def reference(tables: dict[str, Rows], stamps: Stamps) -> Reference:
    """Personas by the reference classifier, with the facts, as_of and store AOV behind them."""
    facts, as_of, store_aov = load_facts(tables, stamps)
    personas = {cid: classify(f, as_of.date(), store_aov) for cid, f in facts.items()}
    return Reference(personas, facts, as_of, store_aov)


def rfm_cells(facts: dict[str, Facts], as_of: date) -> dict[str, tuple[int, int, int]]:
    """(r, f, m) scores of every purchaser: rank-based quintiles, ties share a score."""
    buyers = {cid: f for cid, f in facts.items() if f.orders}
    values = {cid: (-min((as_of - at.date()).days for at, _ in f.orders), len(f.orders),
                    round(sum(net for _, net in f.orders), 2)) for cid, f in buyers.items()}
    n = len(values)
    scores: dict[str, list[int]] = {cid: [] for cid in values}
    for axis in range(3):
        ordered = sorted(v[axis] for v in values.values())
        first_rank: dict[float, int] = {}
        for rank, value in enumerate(ordered, start=1):
            first_rank.setdefault(value, rank)
        for cid, v in values.items():
            scores[cid].append(min(5, 1 + (5 * (first_rank[v[axis]] - 1)) // n))
    return {cid: (s[0], s[1], s[2]) for cid, s in scores.items()}


def rfm_segment(cell: tuple[int, int, int]) -> str:
    """First matching rule of docs/definitions.md §4."""
    for name, (r0, r1), (f0, f1), (m0, m1) in RFM_SEGMENTS:
        if r0 <= cell[0] <= r1 and f0 <= cell[1] <= f1 and m0 <= cell[2] <= m1:
            return name
    return "Others"


# ------------------------------------------------------------------------------------------
# Personas and planted customers
# ------------------------------------------------------------------------------------------


def test_planted_ids_exist_once(tables: dict[str, Rows]) -> None:
    ids = Counter(r["customer_id"] for r in tables["raw_customers"])
    for customer_id in gen.PLANTED:
        assert ids[customer_id] == 1, customer_id
    assert len(gen.PLANTED) == 21


def test_every_persona_has_40_archetype_customers(dataset: gen.Dataset) -> None:
    counts = Counter(dataset.archetypes.values())
    assert set(counts) == set(gen.PERSONAS)
    for persona in gen.PERSONAS:
        assert counts[persona] >= 40, (persona, counts[persona])
    assert counts.most_common(1)[0][0] == gen.POTENTIAL_BRAND_ENTHUSIASTS


def test_archetype_assignment_covers_every_customer(dataset: gen.Dataset,
                                                    tables: dict[str, Rows]) -> None:
    assert set(dataset.archetypes) == {r["customer_id"] for r in tables["raw_customers"]}
    for customer_id, expectation in gen.PLANTED.items():
        assert dataset.archetypes[customer_id] == expectation.primary_persona


def test_as_of_is_end(reference: Reference) -> None:
    assert reference.as_of == gen.END


def test_planted_customers_land_in_their_persona(
        reference: Reference) -> None:
    personas = reference.personas
    wrong = {cid: (personas.get(cid), e.primary_persona) for cid, e in gen.PLANTED.items()
             if personas.get(cid) != e.primary_persona}
    assert not wrong


def test_planted_rfm(reference: Reference) -> None:
    cells = rfm_cells(reference.facts, reference.as_of.date())
    assert rfm_segment(cells["planted-high-roller"]) == "Champions"
    # planted-dead-weight has the lowest cell, 1-1-1: Lost, which the SPEC's first-match order
    # tries before Hibernating (1-2, 1-2, 1-2), the segment that contains it.
    assert cells["planted-dead-weight"] == (1, 1, 1)
    assert rfm_segment(cells["planted-dead-weight"]) == "Lost"
    assert gen.PLANTED["planted-dead-weight"].rfm_segment == "Lost"


def test_reference_classifier_agrees_with_archetypes(
        dataset: gen.Dataset, reference: Reference) -> None:
    personas = reference.personas
    agree: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for customer_id, archetype in dataset.archetypes.items():
        if customer_id in personas:
            total[archetype] += 1
            agree[archetype] += personas[customer_id] == archetype
    for persona in gen.PERSONAS:
        assert agree[persona] >= 40, (persona, agree[persona], total[persona])
        assert agree[persona] / total[persona] >= 0.95, (persona, agree[persona], total[persona])


def test_store_aov_separates_high_from_low(reference: Reference, dataset: gen.Dataset) -> None:
    facts, store_aov = reference.facts, reference.store_aov
    high = (gen.HIGH_ROLLERS, gen.POTENTIAL_HIGH_ROLLERS, gen.LOST_HIGH_ROLLERS,
            gen.ONE_HIT_WONDERS)
    for customer_id, f in facts.items():
        if not f.orders or customer_id in gen.PLANTED:
            continue
        aov = sum(net for _, net in f.orders) / len(f.orders)
        if dataset.archetypes[customer_id] in high:
            assert aov > store_aov * 1.3, customer_id
        elif dataset.archetypes[customer_id] in gen.PURCHASE_PROFILES:
            assert aov < store_aov * 0.8, customer_id


def test_consent_is_exercised(reference: Reference, tables: dict[str, Rows],
                              stamps: Stamps) -> None:
    """Some customers in consent countries without tracking consent browse lately; none of it
    may make them Window Shoppers."""
    personas, facts = reference.personas, reference.facts
    as_of = gen.END.date()
    customers = {r["customer_id"]: r for r in tables["raw_customers"]}
    untracked_recent = set()
    for r, ts in zip(tables["raw_web_events"], stamps["raw_web_events"]):
        customer = customers.get(r["customer_id"])
        if (customer is None or ts is None or (as_of - ts.date()).days > 90
                or customer["country_code"].strip().upper() not in CONSENT_REQUIRED
                or customer["tracking_consent"].strip().lower() == "true"):
            continue
        untracked_recent.add(r["customer_id"])
    no_orders = [cid for cid in untracked_recent if cid in facts and not facts[cid].orders]
    assert len(no_orders) >= 10
    assert all(personas[cid] != gen.WINDOW_SHOPPERS for cid in no_orders)
