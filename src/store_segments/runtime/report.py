"""Write the segment report: one self-contained HTML page of charts and tables over the published snapshot.

Run ``segments report`` (``make report``) after ``make build``. It reads
``published/segments.duckdb`` read-only, runs SQL aggregates only (no customer-level row and no
personal data leaves the snapshot), draws the charts with Plotly and writes
``target/report/index.html`` plus a copy into the snapshot's Parquet folder
(``published/<as_of>/report/index.html``). plotly.js is inlined once, so the page opens offline.
``--where`` prints where the report is and whether it shows the served snapshot (``make build``).
"""

from __future__ import annotations

import argparse
import csv
import html
import os
import re
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from store_segments.dbt_door import REPO_ROOT, project_settings

ROOT = REPO_ROOT
DEFAULT_DATABASE = ROOT / "published" / "segments.duckdb"
DEFAULT_OUTPUT = ROOT / "target" / "report" / "index.html"
PERSONA_CATALOG = ROOT / "seeds" / "reference" / "persona_catalog.csv"
REPORT_NAME = "index.html"
SNAPSHOT_META = "segments-snapshot"
# Families whose moves between two builds the report draws as a matrix: one group per customer.
MATRIX_FAMILY = "rfm_group"
PERSONA_FAMILIES = ("purchase_persona", "engagement_persona")
# The customer count shown for a customer in no group of the family at a build.
OUTSIDE = "(none)"
CLV_BINS = 20
PALETTE = "Blues"
# A table longer than this is folded (click its summary to open it).
FOLD_ROWS = 30

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    """An HTML table: a title, column labels, rows; `key` names the cells the browser test reads."""

    title: str
    columns: tuple[str, ...]
    rows: list[Row]
    key: str = ""
    key_columns: int = 1


@dataclass
class Section:
    """One heading of the page with its text, charts and tables, in order."""

    heading: str
    notes: list[str] = field(default_factory=list)
    charts: list[go.Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Snapshot:
    """What the report reads: an open snapshot, its as_of and id."""

    connection: duckdb.DuckDBPyConnection
    as_of: datetime
    snapshot_id: str

    @property
    def as_of_label(self) -> str:
        return f"as_of {self.as_of:%Y-%m-%d %H:%M}"


# ------------------------------------------------------------------------------------------
# Reading the snapshot
# ------------------------------------------------------------------------------------------


def rows(snapshot: Snapshot, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
    return [tuple(row) for row in snapshot.connection.execute(sql, list(parameters)).fetchall()]


def has_table(snapshot: Snapshot, name: str, schema: str = "main") -> bool:
    found = rows(snapshot, "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                 (schema, name))
    return bool(found[0][0])


def open_snapshot(database: Path) -> Snapshot:
    """The published snapshot, read-only, with its as_of (publish.snapshot) and id."""
    if not database.exists():
        raise SystemExit(f"{database} does not exist: run `make build` first")
    connection = duckdb.connect(str(database), read_only=True)
    connection.execute("set TimeZone = 'UTC'")
    found = connection.execute("select as_of, snapshot_id from publish.snapshot").fetchone()
    if found is None:
        raise SystemExit(f"{database} has no publish.snapshot row: publish it with `make publish`")
    return Snapshot(connection, found[0], str(found[1]))


def persona_precedence(catalog: Path = PERSONA_CATALOG) -> list[str]:
    """Persona names in precedence order, from the reference seed the build loads."""
    with catalog.open(newline="") as handle:
        entries = sorted(csv.DictReader(handle), key=lambda entry: int(entry["precedence"]))
    return [entry["persona_name"] for entry in entries]


# ------------------------------------------------------------------------------------------
# Charts
# ------------------------------------------------------------------------------------------


def titled(figure: go.Figure, title: str, snapshot: Snapshot, height: int = 420) -> go.Figure:
    """Every chart says what it shows and at which as_of."""
    figure.update_layout(title={"text": f"{title} — {snapshot.as_of_label}", "x": 0.01}, height=height,
                         margin={"l": 60, "r": 20, "t": 60, "b": 60}, template="plotly_white")
    return figure


def bar(labels: Sequence[Any], values: Sequence[Any], name: str = "", horizontal: bool = False) -> go.Bar:
    if horizontal:
        return go.Bar(y=list(labels), x=list(values), name=name, orientation="h", text=list(values))
    return go.Bar(x=list(labels), y=list(values), name=name, text=list(values))


# ------------------------------------------------------------------------------------------
# Sections
# ------------------------------------------------------------------------------------------


def headline_section(snapshot: Snapshot) -> Section:
    """Customers, purchasers, revenue, RFM readiness, and the data-quality line."""
    customers, emailable, revenue, currency = rows(
        snapshot, "select count(*), count(*) filter (where is_emailable), sum(lifetime_net_revenue), "
        "max(reporting_currency) from customer_facts")[0]
    purchasers, is_ready = rows(snapshot, "select purchasers, is_ready from rfm_report_readiness")[0]
    section = Section("Headline")
    section.tables.append(Table(
        f"Headline numbers — {snapshot.as_of_label}",
        ("measure", "value"),
        [("as_of", f"{snapshot.as_of:%Y-%m-%d %H:%M:%S} UTC"), ("snapshot", snapshot.snapshot_id),
         ("customers", customers), ("emailable customers", emailable), ("purchasers", purchasers),
         (f"net revenue ({currency})", round(float(revenue or 0), 2)),
         ("RFM report ready", "yes" if is_ready else "no")],
        key="headline"))
    section.notes.append(quality_line(snapshot))
    if has_table(snapshot, "quarantined_row_counts", "main_audit"):
        section.tables.append(Table(
            f"Rows quarantined per input and reason — {snapshot.as_of_label}",
            ("input", "reason", "rows"),
            rows(snapshot, "select source_table, quarantine_reason, row_count from main_audit.quarantined_row_counts "
                           "order by 1, 3 desc"),
            key="quarantine", key_columns=2))
    return section


def quality_line(snapshot: Snapshot) -> str:
    """One sentence: rows quarantined, and whether staging accounted for every raw row."""
    parts: list[str] = []
    if has_table(snapshot, "quarantined_row_counts", "main_audit"):
        total, reasons = rows(snapshot, "select coalesce(sum(row_count), 0), count(distinct quarantine_reason) "
                                        "from main_audit.quarantined_row_counts")[0]
        parts.append(f"{total} raw rows quarantined for {reasons} reasons")
    if has_table(snapshot, "staging_reconciliation", "main_audit"):
        inputs, reconciled, rows_in = rows(
            snapshot, "select count(*), count(*) filter (where is_reconciled), sum(rows_in) "
                      "from main_audit.staging_reconciliation")[0]
        parts.append(f"reconciliation: {reconciled} of {inputs} inputs account for every row "
                     f"({rows_in} rows in = staged + deduplicated + quarantined)")
    return "Data quality: " + ("; ".join(parts) if parts else "no audit tables in this snapshot") + "."


def rfm_section(snapshot: Snapshot) -> Section:
    """The RFM grid: recency score x frequency score, size = customers, colour = revenue."""
    cells = rows(snapshot, "select r_score, f_score, count(*), sum(monetary), max(reporting_currency) "
                           "from customer_rfm group by 1, 2 order by 1, 2")
    section = Section("RFM")
    if not cells:
        section.notes.append("No purchaser has an RFM score at this as_of.")
        return section
    largest = max(cell[2] for cell in cells)
    currency = cells[0][4]
    figure = go.Figure(go.Scatter(
        x=[cell[1] for cell in cells], y=[cell[0] for cell in cells], mode="markers+text",
        text=[str(cell[2]) for cell in cells], textposition="middle center",
        marker={"size": [12 + 48 * cell[2] / largest for cell in cells],
                "color": [float(cell[3]) for cell in cells], "colorscale": PALETTE, "showscale": True,
                "colorbar": {"title": f"revenue ({currency})"}, "line": {"width": 1, "color": "#555"}},
        hovertemplate="R %{y} × F %{x}: %{text} customers<extra></extra>"))
    figure.update_xaxes(title="frequency score", dtick=1, range=[0.5, 5.5])
    figure.update_yaxes(title="recency score", dtick=1, range=[0.5, 5.5])
    section.charts.append(titled(figure, "RFM grid: customers (size) and revenue (colour) per cell", snapshot, 520))
    grid = {(cell[0], cell[1]): cell[2] for cell in cells}
    section.tables.append(Table(
        f"Customers per RFM cell (rows: recency score, columns: frequency score) — {snapshot.as_of_label}",
        ("R \\ F", "1", "2", "3", "4", "5"),
        [(r, *(grid.get((r, f), 0) for f in range(1, 6))) for r in range(5, 0, -1)],
        key="rfm"))
    groups = rows(snapshot, "select rfm_group, count(*) from customer_rfm group by 1 order by 2 desc")
    section.charts.append(titled(go.Figure(bar([g[0] for g in groups], [g[1] for g in groups])),
                                 "Purchasers per RFM group", snapshot, 360))
    return section


def persona_section(snapshot: Snapshot, precedence: Sequence[str]) -> Section:
    """Primary persona sizes in precedence order, beside every membership (overlaps)."""
    primary = dict(rows(snapshot, "select primary_persona, count(*) from customer_personas group by 1"))
    members = dict(rows(snapshot, "select segment_name, count(distinct customer_id) from segment_memberships "
                                  f"where segment_family in {tuple(PERSONA_FAMILIES)} group by 1"))
    names = [name for name in precedence if name in primary or name in members]
    names += sorted((set(primary) | set(members)) - set(names))
    figure = go.Figure([
        bar(names, [primary.get(name, 0) for name in names], "primary persona"),
        bar(names, [members.get(name, 0) for name in names], "member (all memberships)"),
    ])
    figure.update_layout(barmode="group", xaxis={"tickangle": -35})
    section = Section("Personas")
    section.charts.append(titled(figure, "Customers per persona, in precedence order: primary vs all memberships",
                                 snapshot, 480))
    section.tables.append(Table(
        f"Persona sizes in precedence order — {snapshot.as_of_label}",
        ("precedence", "persona", "primary persona", "members (all memberships)"),
        [(precedence.index(name) + 1 if name in precedence else None, name, primary.get(name, 0),
          members.get(name, 0)) for name in names],
        key="persona", key_columns=2))
    overlaps = rows(snapshot, "select persona_count, count(*) from customer_personas group by 1 order by 1")
    section.notes.append("Customers by number of personas met: " +
                         ", ".join(f"{count} persona{'s' if count != 1 else ''}: {customers}"
                                   for count, customers in overlaps) + ".")
    return section


def custom_segment_section(snapshot: Snapshot) -> Section:
    """Each custom segment's size and share of customers, and who entered and left it since the
    previous recorded build (segment_history), as the built-in segments are shown."""
    section = Section("Custom segments")
    (customers,) = rows(snapshot, "select count(*) from customer_facts")[0]
    sizes = dict(rows(snapshot, "select segment_name, count(distinct customer_id) from segment_memberships "
                                "where segment_family = 'custom' group by 1"))
    if not sizes:
        section.notes.append("No custom segment in this snapshot (var segments__custom_segments, docs/custom_segments.md).")
        return section
    builds = recorded_builds(snapshot) if has_table(snapshot, "segment_history") else []
    moves: dict[str, tuple[int, int]] = {}
    if len(builds) >= 2:
        before, after = builds[-2], builds[-1]
        moves = {name: (entered, left) for name, entered, left in rows(snapshot, """
            with pairs as (
                select segment_name, customer_id, max(as_of = ?) as before_in, max(as_of = ?) as after_in
                from segment_history where segment_family = 'custom' and as_of in (?, ?) group by 1, 2
            )
            select segment_name, count(*) filter (where after_in and not before_in),
                count(*) filter (where before_in and not after_in)
            from pairs group by 1""", (before, after, before, after))}
        section.notes.append(f"Entered and left: between the builds of {before:%Y-%m-%d %H:%M} and "
                             f"{after:%Y-%m-%d %H:%M} (segment_history).")
    else:
        section.notes.append("Entered and left need two recorded builds: run `make build` again later, or "
                             "`make replay`.")
    names = sorted(sizes, key=lambda name: (-sizes[name], name))
    figure = go.Figure(bar(names, [sizes[name] for name in names], "members"))
    figure.update_layout(xaxis={"tickangle": -25})
    section.charts.append(titled(figure, "Members per custom segment", snapshot, 420))
    section.tables.append(Table(
        f"Custom segment sizes and movement since the previous build — {snapshot.as_of_label}",
        ("segment", "members", "share of customers", "entered", "left"),
        [(name, sizes[name], round(sizes[name] / customers, 4) if customers else None,
          *(moves.get(name, (0, 0)) if len(builds) >= 2 else (None, None)))
         for name in names],
        key="custom"))
    return section


def recorded_builds(snapshot: Snapshot) -> list[datetime]:
    return [row[0] for row in rows(snapshot, "select distinct as_of from segment_history order by 1")]


def movement_section(snapshot: Snapshot) -> Section:
    """Moves between the last two recorded builds, and entries/exits over the recorded history."""
    section = Section("Segment movement")
    builds = recorded_builds(snapshot) if has_table(snapshot, "segment_history") else []
    section.notes.append(f"{len(builds)} recorded builds in segment_history" +
                         (f", {builds[0]:%Y-%m-%d %H:%M} to {builds[-1]:%Y-%m-%d %H:%M}." if builds else "."))
    if len(builds) < 2:
        section.notes.append("Movement needs two recorded builds: run `make build` again later, or `make replay`.")
        return section
    before, after = builds[-2], builds[-1]
    section.charts.append(transition_chart(snapshot, before, after, "between the last two builds"))
    if len(builds) > 2:
        section.charts.append(transition_chart(snapshot, builds[0], after, "over the recorded history"))
    persona_moves = rows(snapshot, """
        with pairs as (
            select segment_name, customer_id, max(as_of = ?) as before_in, max(as_of = ?) as after_in
            from segment_history where segment_family in (?, ?) and as_of in (?, ?) group by 1, 2
        )
        select segment_name, count(*) filter (where after_in and not before_in),
            count(*) filter (where before_in and not after_in)
        from pairs group by 1 order by 1""", (before, after, *PERSONA_FAMILIES, before, after))
    figure = go.Figure([bar([m[0] for m in persona_moves], [m[1] for m in persona_moves], "entered"),
                        bar([m[0] for m in persona_moves], [-m[2] for m in persona_moves], "exited")])
    figure.update_layout(barmode="relative", xaxis={"tickangle": -35})
    section.charts.append(titled(figure, f"Persona entries and exits between the last two builds ({before:%m-%d} → "
                                         f"{after:%m-%d})", snapshot, 440))
    history = rows(snapshot, """
        select segment_family, segment_name,
            count(*) filter (where is_entry_observed) as entered,
            count(*) filter (where exited_at is not null) as exited
        from segment_changes group by 1, 2 order by 1, 2""")
    section.tables.append(Table(f"Entered and exited per segment over the recorded history "
                                f"({builds[0]:%Y-%m-%d} to {builds[-1]:%Y-%m-%d}) — {snapshot.as_of_label}",
                                ("family", "segment", "entered", "exited"), history, key="changes", key_columns=2))
    return section


def transition_chart(snapshot: Snapshot, before: datetime, after: datetime, span: str) -> go.Figure:
    """Customers per (RFM group at `before`, RFM group at `after`), OUTSIDE for no group."""
    moves = rows(snapshot, f"""
        with at_build as (
            select customer_id, as_of, segment_name from segment_history
            where segment_family = ? and as_of in (?, ?)
        ),
        customers as (select distinct customer_id from at_build)
        select coalesce(b.segment_name, '{OUTSIDE}'), coalesce(a.segment_name, '{OUTSIDE}'), count(*)
        from customers
        left join at_build as b on b.customer_id = customers.customer_id and b.as_of = ?
        left join at_build as a on a.customer_id = customers.customer_id and a.as_of = ?
        group by 1, 2""", (MATRIX_FAMILY, before, after, before, after))
    labels = sorted({m[0] for m in moves} | {m[1] for m in moves})
    counts = {(m[0], m[1]): m[2] for m in moves}
    matrix = [[counts.get((origin, target), 0) for target in labels] for origin in labels]
    figure = go.Figure(go.Heatmap(z=matrix, x=labels, y=labels, colorscale=PALETTE, text=matrix,
                                  texttemplate="%{text}", hovertemplate="%{y} → %{x}: %{z}<extra></extra>"))
    figure.update_xaxes(title=f"RFM group at {after:%Y-%m-%d %H:%M}")
    figure.update_yaxes(title=f"RFM group at {before:%Y-%m-%d %H:%M}", autorange="reversed")
    return titled(figure, f"RFM group moves {span} ({before:%m-%d} → {after:%m-%d})", snapshot, 480)


def journey_section(snapshot: Snapshot) -> Section:
    """The journey queue by journey and status, and why rows are suppressed."""
    queue = rows(snapshot, "select journey, status, count(*) from journey_queue group by 1, 2 order by 1, 2")
    journeys = sorted({q[0] for q in queue})
    statuses = sorted({q[1] for q in queue})
    counts = {(q[0], q[1]): q[2] for q in queue}
    figure = go.Figure([bar(journeys, [counts.get((j, s), 0) for j in journeys], s) for s in statuses])
    figure.update_layout(barmode="stack")
    section = Section("Journeys")
    section.charts.append(titled(figure, "Journey queue: customers per journey and status", snapshot))
    section.tables.append(Table(
        f"Suppressed journey rows per reason — {snapshot.as_of_label}", ("journey", "reason", "rows"),
        rows(snapshot, "select journey, reason, count(*) from journey_queue where status = 'suppressed' "
                       "group by 1, 2 order by 1, 3 desc"), key="suppressed", key_columns=2))
    return section


def lift_rows(snapshot: Snapshot) -> list[Row]:
    """journey_lift's all-months rows: what each journey adds over its holdout."""
    return rows(snapshot, "select journey, treated_customers, holdout_customers, treated_conversion_rate, "
                          "holdout_conversion_rate, conversion_lift, conversion_lift_lower, conversion_lift_upper, "
                          "conversion_p_value, revenue_per_customer_lift, revenue_per_customer_lift_lower, "
                          "revenue_per_customer_lift_upper, incremental_orders, incremental_revenue, has_min_sample "
                          "from journey_lift where is_all_months order by journey")


def lift_section(snapshot: Snapshot, settings: dict[str, Any]) -> Section:
    """Each journey's conversion lift over its holdout with error bars, and the revenue it adds."""
    section = Section("Journey lift")
    if not has_table(snapshot, "journey_lift"):
        section.notes.append("No journey_lift in this snapshot.")
        return section
    lifts = lift_rows(snapshot)
    section.notes.append(
        f"Treated against held-out customers, entries of every mature month: conversion = a valid order within "
        f"{settings.get('segments__lift_conversion_window_days')} days of entering; intervals at "
        f"{1 - float(settings.get('segments__lift_significance_level') or 0.05):.0%}. Grey = fewer than "
        f"{settings.get('segments__lift_min_sample_per_group')} customers in a group: too small a sample to call "
        "(docs/journeys.md, \"How to read a lift\").")
    measured = [lift for lift in lifts if lift[5] is not None and lift[6] is not None]
    if measured:
        figure = go.Figure(go.Scatter(
            x=[lift[5] for lift in measured], y=[lift[0] for lift in measured], mode="markers",
            marker={"size": 12, "color": ["#2a9d8f" if lift[14] else "#888" for lift in measured]},
            error_x={"type": "data", "symmetric": False, "array": [lift[7] - lift[5] for lift in measured],
                     "arrayminus": [lift[5] - lift[6] for lift in measured]},
            hovertemplate="%{y}: %{x:+.1%}<extra></extra>"))
        figure.add_vline(x=0, line_dash="dash", line_color="#999")
        figure.update_xaxes(title="conversion lift, treated − holdout (confidence interval)", tickformat="+.0%")
        section.charts.append(titled(figure, "Journey lift: conversion over the holdout", snapshot, 380))
        figure = go.Figure(bar([lift[0] for lift in measured], [round(lift[13] or 0, 2) for lift in measured]))
        figure.update_yaxes(title="incremental net revenue")
        section.charts.append(titled(figure, "Incremental revenue per journey (all mature months)", snapshot, 360))
    section.tables.append(Table(
        f"Journey lift, all mature months — {snapshot.as_of_label}",
        ("journey", "treated", "holdout", "treated conversion", "holdout conversion", "lift", "CI lower", "CI upper",
         "p-value", "revenue lift per customer", "CI lower", "CI upper", "incremental orders", "incremental revenue",
         "enough sample"),
        [(lift[0], lift[1], lift[2], *(fmt(value) for value in lift[3:9]), *(fmt(value, 2) for value in lift[9:14]),
          "yes" if lift[14] else "no") for lift in lifts], key="lift"))
    return section


def email_section(snapshot: Snapshot, settings: dict[str, Any]) -> Section:
    """Rates per campaign and flow step (human opens only), A/B tests, deliverability floors."""
    section = Section("Email")
    section.notes.append("Open rates count human opens only: machine opens (privacy prefetch, scanners) never count.")
    campaigns = rows(snapshot, "select campaign_name, delivered, open_rate, click_rate, unsubscribe_rate, "
                               "spam_complaint_rate from campaign_performance where delivered > 0 order by first_sent_at")
    figure = go.Figure(go.Scatter(
        x=[c[2] for c in campaigns], y=[c[3] for c in campaigns], mode="markers", text=[c[0] for c in campaigns],
        marker={"size": [6 + 24 * c[1] / max(c[1] for c in campaigns) for c in campaigns]},
        hovertemplate="%{text}<br>open %{x:.1%}, click %{y:.1%}<extra></extra>"))
    figure.update_xaxes(title="human open rate", tickformat=".0%")
    figure.update_yaxes(title="click rate", tickformat=".0%")
    section.charts.append(titled(figure, "Campaigns: human open rate vs click rate (size = delivered)", snapshot))
    steps = rows(snapshot, "select flow_name || ' / ' || flow_step, delivered, open_rate, click_rate, "
                           "unsubscribe_rate, spam_complaint_rate from flow_step_performance order by 1")
    figure = go.Figure([bar([s[0] for s in steps], [round(s[2] or 0, 4) for s in steps], "human open rate"),
                        bar([s[0] for s in steps], [round(s[3] or 0, 4) for s in steps], "click rate")])
    figure.update_layout(barmode="group", yaxis={"tickformat": ".0%"})
    section.charts.append(titled(figure, "Flow steps: human open and click rates", snapshot))
    rate_columns = ("delivered", "human open rate", "click rate", "unsubscribe rate", "spam rate")
    section.tables.append(Table(f"Rates per flow step — {snapshot.as_of_label}", ("flow / step", *rate_columns),
                                [rate_row(s) for s in steps], key="flow"))
    section.tables.append(Table(f"Rates per campaign — {snapshot.as_of_label}", ("campaign", *rate_columns),
                                [rate_row(c) for c in campaigns], key="campaign"))
    section.charts.extend(ab_charts(snapshot))
    section.notes.append(winner_rule(settings))
    section.tables.append(Table(
        f"A/B tests — {snapshot.as_of_label}",
        ("test", "variant", "metric", "deliveries", "rate", "lift vs control", "CI lower", "CI upper", "p-value",
         "significant", "winner"),
        [(t[0], t[1], t[2], t[3], fmt(t[4]), fmt(t[5]), fmt(t[6]), fmt(t[7]), t[8],
          "" if t[9] is None else ("yes" if t[9] else "no"), "yes" if t[10] else "")
         for t in ab_rows(snapshot)], key="ab", key_columns=2))
    section.charts.append(deliverability_chart(snapshot))
    section.tables.append(Table(
        f"Deliverability floors per segment (sends of the lookback window) — {snapshot.as_of_label}",
        ("family", "segment", "delivered", "open rate", "min open", "unsubscribe rate", "max unsubscribe",
         "spam rate", "max spam", "status"),
        [(d[0], d[1], d[2], fmt(d[3]), fmt(d[4]), fmt(d[5]), fmt(d[6]), fmt(d[7]), fmt(d[8]), d[9])
         for d in deliverability_rows(snapshot)], key="deliverability", key_columns=2))
    return section


def fmt(value: Any, digits: int = 4) -> Any:
    """Rates and p-values to `digits` decimals (what the page shows and the test compares)."""
    return None if value is None else round(float(value), digits)


def rate_row(row: Row) -> Row:
    return (row[0], row[1], *(fmt(value) for value in row[2:]))


def ab_rows(snapshot: Snapshot) -> list[Row]:
    return rows(snapshot, "select ab_test_id, variant, metric, sample_size, rate, absolute_lift, lift_ci_lower, "
                          "lift_ci_upper, p_value, is_significant, is_winner from ab_test_results order by 1, 2")


def ab_charts(snapshot: Snapshot) -> list[go.Figure]:
    """Each variant's lift over its control with its confidence interval."""
    tests = [t for t in ab_rows(snapshot) if t[5] is not None]
    if not tests:
        return []
    figure = go.Figure(go.Scatter(
        x=[t[5] for t in tests], y=[f"{t[0]} {t[1]}" for t in tests], mode="markers",
        marker={"size": 12, "color": ["#2a9d8f" if t[10] else "#888" for t in tests]},
        error_x={"type": "data", "symmetric": False, "array": [t[7] - t[5] for t in tests],
                 "arrayminus": [t[5] - t[6] for t in tests]},
        hovertemplate="%{y}: lift %{x:.3f}<extra></extra>"))
    figure.add_vline(x=0, line_dash="dash", line_color="#999")
    figure.update_xaxes(title="absolute lift over control (confidence interval); green = winner")
    return [titled(figure, "A/B tests: lift over control with confidence intervals", snapshot, 360)]


def winner_rule(settings: dict[str, Any]) -> str:
    return (f"Winner rule: a variant wins when p < {settings.get('segments__ab_significance_level')} and both it and the control "
            f"have at least {settings.get('segments__ab_min_sample_size')} deliveries and it beats the control; otherwise no arm "
            "wins (two-sided pooled two-proportion z-test; intervals are Wald intervals of the lift).")


def deliverability_rows(snapshot: Snapshot) -> list[Row]:
    return rows(snapshot, "select segment_family, scope_name, delivered, open_rate, min_open_rate, unsubscribe_rate, "
                          "max_unsubscribe_rate, spam_complaint_rate, max_spam_complaint_rate, health_status "
                          "from deliverability_health where scope_type = 'segment' order by 1, 2")


def deliverability_chart(snapshot: Snapshot) -> go.Figure:
    segments = deliverability_rows(snapshot)
    labels = [f"{d[1]}" for d in segments]
    figure = go.Figure([bar(labels, [fmt(d[3]) or 0 for d in segments], "human open rate"),
                        go.Scatter(x=labels, y=[d[4] for d in segments], mode="lines+markers",
                                   name="floor (min open rate)", line={"dash": "dash"})])
    figure.update_layout(yaxis={"tickformat": ".0%"}, xaxis={"tickangle": -35})
    return titled(figure, "Deliverability per segment: human open rate against its floor", snapshot, 460)


def prediction_section(snapshot: Snapshot) -> Section:
    """CLV distribution and churn bands, only when the predictions are reliable."""
    section = Section("Predictions")
    if not has_table(snapshot, "customer_predictions"):
        section.notes.append("No customer_predictions in this snapshot (DuckDB builds only).")
        return section
    reliable = rows(snapshot, "select count(*), count(*) filter (where is_reliable) from customer_predictions")[0]
    if reliable[0] == 0 or reliable[1] < reliable[0]:
        section.notes.append("Predictions are not reliable at this as_of (too few purchasers or too short a history): "
                             "not shown.")
        return section
    histogram = rows(snapshot, f"""
        with bounds as (select min(predicted_clv) as low, max(predicted_clv) as high from customer_predictions),
        binned as (
            select least(floor((predicted_clv - low) / nullif(high - low, 0) * {CLV_BINS}), {CLV_BINS - 1}) as bin,
                low, high
            from customer_predictions cross join bounds
        )
        select coalesce(bin, 0), low + coalesce(bin, 0) * (high - low) / {CLV_BINS}, count(*)
        from binned group by 1, 2 order by 1""")
    currency = rows(snapshot, "select max(reporting_currency) from customer_predictions")[0][0]
    figure = go.Figure(go.Bar(x=[round(float(h[1]), 2) for h in histogram], y=[h[2] for h in histogram]))
    figure.update_xaxes(title=f"predicted CLV ({currency}), bin start")
    figure.update_yaxes(title="purchasers")
    section.charts.append(titled(figure, "Predicted CLV distribution", snapshot, 380))
    bands = rows(snapshot, "select churn_risk_band, count(*), avg(probability_alive) from customer_predictions "
                           "group by 1 order by 3 desc")
    section.charts.append(titled(go.Figure(bar([b[0] for b in bands], [b[1] for b in bands])),
                                 "Purchasers per churn risk band", snapshot, 360))
    return section


def build_sections(snapshot: Snapshot, precedence: Sequence[str], settings: dict[str, Any]) -> list[Section]:
    return [headline_section(snapshot), rfm_section(snapshot), persona_section(snapshot, precedence),
            custom_segment_section(snapshot), movement_section(snapshot), journey_section(snapshot),
            lift_section(snapshot, settings), email_section(snapshot, settings),
            prediction_section(snapshot)]


# ------------------------------------------------------------------------------------------
# HTML
# ------------------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem 2rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 2px solid #ddd; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.6rem; } td.num { text-align: right; }
th { background: #f4f4f4; cursor: pointer; user-select: none; } th:hover { background: #e8e8e8; }
.note { color: #444; } .chart { margin: 1rem 0; }
"""

# Click a header to sort by that column (numbers as numbers); click again to reverse.
SORT_SCRIPT = """
document.querySelectorAll("table.sortable th").forEach(function (header, index) {
  header.addEventListener("click", function () {
    var table = header.closest("table"), body = table.tBodies[0];
    var column = Array.prototype.indexOf.call(header.parentNode.children, header);
    var ascending = header.dataset.order !== "asc";
    header.dataset.order = ascending ? "asc" : "desc";
    var value = function (row) {
      var cell = row.children[column], raw = cell.dataset.value;
      var number = parseFloat(raw);
      return isNaN(number) ? raw : number;
    };
    Array.prototype.slice.call(body.rows).sort(function (a, b) {
      var x = value(a), y = value(b);
      var order = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y));
      return ascending ? order : -order;
    }).forEach(function (row) { body.appendChild(row); });
  });
});
"""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Four decimals; a tiny value (a p-value) keeps three significant digits instead of 0.
        return f"{value:.3g}" if abs(value) < 1e-3 and value != 0 else f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def table_html(table: Table) -> str:
    """A sortable table; each cell carries data-value, and data-cell = key|row key|column."""
    header = "".join(f"<th>{html.escape(column)}</th>" for column in table.columns)
    body = []
    for row in table.rows:
        row_key = "|".join(str(value) for value in row[:table.key_columns])
        cells = []
        for column, value in zip(table.columns, row):
            css = ' class="num"' if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
            identifier = html.escape(f"{table.key}|{row_key}|{column}", quote=True)
            raw = html.escape("" if value is None else str(value), quote=True)
            cells.append(f'<td{css} data-cell="{identifier}" data-value="{raw}">{html.escape(cell_text(value))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="sortable" data-table="{html.escape(table.key)}"><caption>{html.escape(table.title)}'
            f"</caption><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def chart_html(figure: go.Figure, number: int) -> str:
    return '<div class="chart">' + pio.to_html(
        figure, full_html=False, include_plotlyjs=False, div_id=f"chart-{number}",
        config={"displaylogo": False, "responsive": True}) + "</div>"


def render(snapshot: Snapshot, sections: Sequence[Section]) -> str:
    """The whole page: plotly.js inlined once, then every section."""
    parts: list[str] = []
    number = 0
    for section in sections:
        parts.append(f"<h2>{html.escape(section.heading)}</h2>")
        parts.extend(f'<p class="note">{html.escape(note)}</p>' for note in section.notes)
        for figure in section.charts:
            number += 1
            parts.append(chart_html(figure, number))
        parts.extend(table_html(table) if len(table.rows) <= FOLD_ROWS else
                     f"<details><summary>{html.escape(table.title)} ({len(table.rows)} rows)</summary>"
                     f"{table_html(table)}</details>" for table in section.tables)
    title = f"Segment report — {snapshot.as_of_label}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta name="{SNAPSHOT_META}" content="{html.escape(snapshot.snapshot_id)}">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f"<h1>{html.escape(title)}</h1>"
        f'<p class="note">Aggregates of the published snapshot {html.escape(snapshot.snapshot_id)}: no customer-level '
        "row. Click a table header to sort.</p>"
        + "".join(parts) + f"<script>{SORT_SCRIPT}</script></body></html>\n"
    )


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def snapshot_report_path(database: Path) -> Path | None:
    """The report's place in the served snapshot's Parquet folder (published/<as_of>/report/)."""
    if not database.is_symlink():
        return None
    folder = database.resolve().with_suffix("")
    return folder / "report" / REPORT_NAME if folder.is_dir() else None


def write_report(database: Path, output: Path) -> list[Path]:
    """Render the report of the snapshot at `database`; the paths written."""
    snapshot = open_snapshot(database)
    try:
        page = render(snapshot, build_sections(snapshot, persona_precedence(), project_settings(ROOT).vars))
    finally:
        snapshot.connection.close()
    written = [output]
    write_atomically(output, page)
    copy = snapshot_report_path(database)
    if copy is not None:
        write_atomically(copy, page)
        written.append(copy)
    return written


def report_snapshot_id(report: Path) -> str | None:
    """The snapshot id a written report shows (its meta tag), or None."""
    if not report.exists():
        return None
    with report.open(encoding="utf-8") as handle:
        head = handle.read(4096)
    found = re.search(rf'<meta name="{SNAPSHOT_META}" content="([^"]*)"', head)
    return found.group(1) if found else None


def where(database: Path, output: Path) -> str:
    """One line for `make build`: where the report is and whether it shows the served snapshot."""
    shown = report_snapshot_id(output)
    if shown is None:
        return "Report: none yet (`make report` writes target/report/index.html)"
    served = database.resolve().stem if database.is_symlink() else None
    state = "of this snapshot" if shown == served else "of an earlier snapshot: `make report` refreshes it"
    return f"Report: {output} ({state})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", type=Path, default=DEFAULT_DATABASE, help="the published snapshot")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--where", action="store_true", help="print where the report is, write nothing")
    args = parser.parse_args(argv)
    if args.where:
        print(where(args.database, args.output))
        return 0
    started = time.monotonic()
    written = write_report(args.database, args.output)
    size = written[0].stat().st_size / 1e6
    print(f"Report written in {time.monotonic() - started:.1f} s ({size:.1f} MB, opens offline):")
    for path in written:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
