"""`make docs` writes a dbt docs site that opens from disk: target/static_index.html carries the
manifest and the catalog inlined, so a browser opening it from file:// has nothing to fetch. dbt's
target/index.html fetches manifest.json, which a browser refuses from file://, and alerts "unable to
load the manifest file": the browser test (marker `browser`) checks both, so it can tell them apart."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, chromium_driver, user_env

MODEL = "model.segments.customer_facts"
# A column of that model, documented in its YAML and found in the catalog of the built database.
COLUMN = "lifetime_net_revenue"


@pytest.fixture(scope="module")
def site(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make docs` against a copy of the demo build, its target folder outside the checkout."""
    work = tmp_path_factory.mktemp("docs_site")
    database = work / "segments.duckdb"
    shutil.copy2(built_database, database)
    env = {**user_env(), "SEGMENTS_DUCKDB_PATH": str(database),
           "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs")}
    result = subprocess.run(
        ["make", "-o", ".venv/bin/.installed", "docs"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"make docs failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    return work / "target"


def test_make_docs_writes_one_page_with_the_manifest_and_catalog_inlined(site: Path) -> None:
    page = (site / "static_index.html").read_text()
    # dbt's placeholders, replaced by the two documents when it inlines them.
    assert '"MANIFEST.JSON INLINE DATA"' not in page
    assert '"CATALOG.JSON INLINE DATA"' not in page
    assert "https://schemas.getdbt.com/dbt/manifest/" in page
    assert "https://schemas.getdbt.com/dbt/catalog/" in page
    assert f'"{MODEL}"' in page and f'"{COLUMN}"' in page


def test_the_site_shows_each_custom_segment_readably(site: Path) -> None:
    """custom_segment_definitions is on the site with each segment named, and each condition as
    readable text, in its compiled code (the Code tab; a description cannot read a package's vars)."""
    manifest = json.loads((site / "manifest.json").read_text())
    node = manifest["nodes"]["model.segments.custom_segment_definitions"]
    names = [segment["name"] for segment in yaml.safe_load((ROOT / "dbt_project.yml").read_text())
             ["vars"]["segments__custom_segments"]]
    compiled = node["compiled_code"]
    assert names and all(f"\n- {name} (owner: " in compiled for name in names)
    assert "\n- us_viewed_product_not_bought (owner: lifecycle-marketing): The reference case:" in compiled
    assert ("\n  all of (product_views[SKU-0001, last 30 d] >= 1; products_bought[SKU-0001, last 30 d] = 0; "
            "country_code = US; email_opens[campaign, all time] >= 1)\n") in compiled
    page = (site / "static_index.html").read_text()
    assert "custom_segment_definitions" in page and "email_opens[campaign, all time] >= 1" in page


def alert_text(driver: object, seconds: float) -> str | None:
    """The text of an alert the page raised within `seconds`, or None."""
    from selenium.common.exceptions import NoAlertPresentException

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return str(driver.switch_to.alert.text)  # type: ignore[attr-defined]
        except NoAlertPresentException:
            time.sleep(0.25)
    return None


@pytest.mark.browser
def test_the_docs_site_opens_from_disk_without_an_alert_and_lists_the_models(site: Path) -> None:
    driver = chromium_driver("the docs site's browser test")
    try:
        # The page dbt serves with `dbt docs serve` cannot load its manifest from disk: the alert
        # this test must see when it is there.
        driver.get((site / "index.html").as_uri())  # type: ignore[attr-defined]
        served_alerts = []
        while (alert := alert_text(driver, 10 if not served_alerts else 2)) is not None:
            served_alerts.append(alert)
            driver.switch_to.alert.accept()  # type: ignore[attr-defined]
        assert any("unable to load the manifest" in alert for alert in served_alerts), served_alerts

        page = (site / "static_index.html").as_uri()
        driver.get(page)  # type: ignore[attr-defined]
        assert alert_text(driver, 5) is None
        driver.get(f"{page}#!/model/{MODEL}")  # type: ignore[attr-defined]
        text = ""
        deadline = time.monotonic() + 60
        while COLUMN not in text and time.monotonic() < deadline:
            time.sleep(0.5)
            text = driver.execute_script("return document.body.innerText")  # type: ignore[attr-defined]
        assert "customer_facts" in text and COLUMN in text, text[:2000]
        models = driver.execute_script(  # type: ignore[attr-defined]
            "return Array.from(document.querySelectorAll('a')).map(function (a) {"
            "  return a.textContent.replace(/\\s+/g, ''); })")
        assert {"customer_personas", "customer_rfm", "journey_queue"} <= set(models), models[:50]
        assert alert_text(driver, 1) is None
    finally:
        driver.quit()  # type: ignore[attr-defined]
