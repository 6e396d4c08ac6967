"""Tests of src/store_segments/runtime/report.py: its pieces on hand-made values (fast), then the demo as `make build`
leaves it (history backfill, build, publish) rendered and loaded in headless Chromium (marker
`browser`; skipped where no Chromium and chromedriver are installed): no console error, every
chart has data, and three numbers on the page equal SQL over the published snapshot."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from store_segments.runtime import report
from conftest import ROOT, chromium_driver

SCREENSHOT = ROOT / "target" / "report_screenshot.png"


# ------------------------------------------------------------------------------------------
# Pieces (no build)
# ------------------------------------------------------------------------------------------


def test_cells_carry_their_key_and_raw_value() -> None:
    table = report.Table("t", ("persona", "customers", "p-value"), [("High Rollers", 1234, 6.9e-06)], key="k")
    page = report.table_html(table)
    assert 'data-cell="k|High Rollers|customers" data-value="1234">1,234</td>' in page
    # A tiny p-value keeps its significant digits instead of showing 0.
    assert 'data-value="6.9e-06">6.9e-06</td>' in page


def test_cell_text_rounds_rates_to_four_decimals() -> None:
    assert report.cell_text(0.20833333) == "0.2083"
    assert report.cell_text(0.5) == "0.5"
    assert report.cell_text(None) == ""
    assert report.cell_text(2408) == "2,408"


def test_persona_precedence_follows_the_catalog() -> None:
    names = report.persona_precedence()
    assert names[0] == "High Rollers" and names[-1] == "Unclassified"
    assert names.index("Almost There") < names.index("Dead Weight")


def test_where_tells_whether_the_report_shows_the_served_snapshot(tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    (snapshots / "20261031T180000-aaaa.duckdb").write_text("")
    database = tmp_path / "segments.duckdb"
    database.symlink_to("snapshots/20261031T180000-aaaa.duckdb")
    output = tmp_path / "index.html"
    assert "none yet" in report.where(database, output)
    output.write_text(f'<html><head><meta name="{report.SNAPSHOT_META}" content="20261031T180000-aaaa">')
    assert "of this snapshot" in report.where(database, output)
    output.write_text(f'<html><head><meta name="{report.SNAPSHOT_META}" content="20261030T180000-bbbb">')
    assert "earlier snapshot" in report.where(database, output)


def test_custom_segments_show_size_share_and_movement_since_the_previous_build() -> None:
    """Four customers; at the previous build `a` held a and b, now b and c: one entered, one left.
    `quiet` kept its member; a built-in segment is not listed."""
    connection = duckdb.connect()
    connection.execute("create table customer_facts as select * from (values ('1'), ('2'), ('3'), ('4')) t(customer_id)")
    connection.execute("""create table segment_memberships as select * from (values
        ('2', 'custom', 'a'), ('3', 'custom', 'a'), ('4', 'custom', 'quiet'), ('1', 'rfm_group', 'Champions'))
        t(customer_id, segment_family, segment_name)""")
    connection.execute("""create table segment_history as select cast(as_of as timestamp) as as_of, customer_id,
        segment_family, segment_name from (values
        ('2026-10-30 18:00', '1', 'custom', 'a'), ('2026-10-30 18:00', '2', 'custom', 'a'),
        ('2026-10-30 18:00', '4', 'custom', 'quiet'),
        ('2026-10-31 18:00', '2', 'custom', 'a'), ('2026-10-31 18:00', '3', 'custom', 'a'),
        ('2026-10-31 18:00', '4', 'custom', 'quiet')) t(as_of, customer_id, segment_family, segment_name)""")
    snapshot = report.Snapshot(connection, datetime(2026, 10, 31, 18), "s")
    section = report.custom_segment_section(snapshot)
    (table,) = section.tables
    assert table.rows == [("a", 2, 0.5, 1, 1), ("quiet", 1, 0.25, 0, 0)]
    assert len(section.charts) == 1
    connection.execute("delete from segment_history where as_of < '2026-10-31'")
    assert report.custom_segment_section(snapshot).tables[0].rows[0] == ("a", 2, 0.5, None, None)


# ------------------------------------------------------------------------------------------
# The demo, built as `make build` does, rendered and opened in Chromium
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(built_checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo as `make build` leaves it (history backfill, dbt build, publish): a copy of the
    session's checkout's published/ (conftest.built_checkout), as the report writes into it."""
    copy = tmp_path_factory.mktemp("report") / "published"
    shutil.copytree(built_checkout / "published", copy, symlinks=True)
    return copy / "segments.duckdb"


@pytest.fixture(scope="module")
def page(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("page") / "index.html"
    written = report.write_report(published, output)
    assert written[1].exists(), "no copy in the snapshot's folder"
    assert written[1].read_bytes() == output.read_bytes()
    return output


@pytest.fixture()
def snapshot(published: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(published), read_only=True) as connection:
        yield connection


def test_the_demo_has_history_to_show(snapshot: duckdb.DuckDBPyConnection) -> None:
    (builds,) = snapshot.execute("select count(distinct as_of) from segment_history").fetchone() or (0,)
    assert builds == 8
    (retention,) = snapshot.execute("select count(*) from journey_rfm_retention").fetchone() or (0,)
    assert retention > 0


class ExternalReferences(HTMLParser):
    """src and href attributes of the page's tags (script bodies are not parsed as tags)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [(tag, value or "") for name, value in attrs if name in ("src", "href")]


def test_the_page_is_self_contained_and_holds_no_customer_row(page: Path, snapshot: duckdb.DuckDBPyConnection) -> None:
    text = page.read_text(encoding="utf-8")
    parser = ExternalReferences()
    parser.feed(text)
    assert parser.found == []
    customer_ids = [row[0] for row in snapshot.execute("select customer_id from customer_facts limit 50").fetchall()]
    assert not [customer_id for customer_id in customer_ids if f'"{customer_id}"' in text or f">{customer_id}<" in text]
    assert "@" not in text.split("<script", 1)[0]


def shown_number(driver: object, cell: str) -> float:
    from selenium.webdriver.common.by import By

    element = driver.find_element(By.CSS_SELECTOR, f'td[data-cell="{cell}"]')  # type: ignore[attr-defined]
    return float(element.text.replace(",", ""))


@pytest.mark.browser
def test_the_report_opens_in_chromium_with_data_in_every_chart(page: Path, snapshot: duckdb.DuckDBPyConnection) -> None:
    driver = chromium_driver("the report's browser test")
    try:
        driver.get(page.as_uri())  # type: ignore[attr-defined]
        charts = driver.execute_script(  # type: ignore[attr-defined]
            "return Array.from(document.querySelectorAll('div.chart .js-plotly-plot')).map(function (div) {"
            "  return {id: div.id, title: (div.layout.title || {}).text || '', points: div.data.map(function (t) {"
            "    var values = t.z || t.y || t.x || t.values || []; return values.length; })}; })")
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]  # type: ignore[attr-defined]
        height = driver.execute_script("return document.body.scrollHeight")  # type: ignore[attr-defined]
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {  # type: ignore[attr-defined]
            "captureBeyondViewport": True, "clip": {"x": 0, "y": 0, "width": 1400, "height": height, "scale": 1}})
        SCREENSHOT.parent.mkdir(exist_ok=True)
        SCREENSHOT.write_bytes(base64.b64decode(shot["data"]))

        assert errors == [], errors
        assert len(charts) >= 10, charts
        as_of = snapshot.execute("select as_of from publish.snapshot").fetchone()[0]  # type: ignore[index]
        for chart in charts:
            assert chart["points"] and all(count > 0 for count in chart["points"]), chart
            assert f"as_of {as_of:%Y-%m-%d %H:%M}" in chart["title"], chart

        # A persona many customers meet without it being their primary one.
        persona = "Espresso Shot"
        (size,) = snapshot.execute(
            "select count(*) from customer_personas where primary_persona = ?", [persona]).fetchone() or (0,)
        (members,) = snapshot.execute(
            "select count(*) from segment_memberships where segment_name = ?", [persona]).fetchone() or (0,)
        assert 0 < size < members
        precedence = report.persona_precedence().index(persona) + 1
        assert shown_number(driver, f"persona|{precedence}|{persona}|primary persona") == size
        assert shown_number(driver, f"persona|{precedence}|{persona}|members (all memberships)") == members

        # Every cell of the grid table: recency score is the row, frequency score the column.
        cells = dict(((r, f), n) for r, f, n in snapshot.execute(
            "select r_score, f_score, count(*) from customer_rfm group by 1, 2").fetchall())
        assert cells[(5, 1)] != cells.get((1, 5), 0)
        for r_score in range(1, 6):
            for f_score in range(1, 6):
                assert shown_number(driver, f"rfm|{r_score}|{f_score}") == cells.get((r_score, f_score), 0)

        # A custom segment's size, as segment_memberships holds it.
        (custom_size,) = snapshot.execute(
            "select count(*) from segment_memberships where segment_family = 'custom'"
            " and segment_name = 'us_viewed_product_not_bought'").fetchone() or (0,)
        assert custom_size > 0
        assert shown_number(driver, "custom|us_viewed_product_not_bought|members") == custom_size

        (p_value,) = snapshot.execute(
            "select p_value from ab_test_results where ab_test_id = 'ab-send-time-3pm' and variant = 'B'"
        ).fetchone() or (None,)
        assert p_value is not None
        assert shown_number(driver, "ab|ab-send-time-3pm|B|p-value") == round(p_value, 4)
    finally:
        driver.quit()  # type: ignore[attr-defined]


def test_the_report_builds_in_seconds(published: Path, tmp_path: Path) -> None:
    started = datetime.now()
    report.write_report(published, tmp_path / "index.html")
    assert (datetime.now() - started).total_seconds() < 15
