"""The upload files of `make export`: hashed emails only for ads, email and first name for email,
exactly the audience's members of that channel, written atomically. Read from the demo build (the
session fixture `built_database`), which holds the activation tables a snapshot publishes."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from store_segments.runtime import export as export_audience


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def members(database: Path, audience: str, channel: str) -> int:
    with duckdb.connect(str(database), read_only=True) as connection:
        (count,) = connection.execute(
            "select count(*) from main_activation.audience_members where audience_name = ? and channel = ?",
            [audience, channel],
        ).fetchone() or (0,)
    return int(count)


def test_ads_file_holds_only_hashes_of_the_audience(built_database: Path, tmp_path: Path) -> None:
    path = export_audience.export(built_database, tmp_path, "High Rollers", "ads")
    rows = read(path)
    assert rows[0] == ["email"]
    assert len(rows) - 1 == members(built_database, "High Rollers", "ads") > 0
    assert all(len(value) == 64 and "@" not in value for (value,) in rows[1:])
    assert "@" not in path.read_text(encoding="utf-8")


def test_email_file_holds_address_and_first_name(built_database: Path, tmp_path: Path) -> None:
    path = export_audience.export(built_database, tmp_path, "High Rollers", "email")
    rows = read(path)
    assert rows[0] == ["email", "first_name"]
    assert len(rows) - 1 == members(built_database, "High Rollers", "email") > 0
    assert all("@" in email and email == email.strip().lower() for email, _ in rows[1:])
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_a_name_in_two_families_needs_the_family(built_database: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="--family"):
        export_audience.export(built_database, tmp_path, "Champions", "ads")
    path = export_audience.export(built_database, tmp_path, "Champions", "ads", family="rfm_group")
    assert path.name == "rfm-group--champions--ads.csv"


def test_a_custom_segment_exports_like_a_built_in_one(built_database: Path, tmp_path: Path) -> None:
    path = export_audience.export(built_database, tmp_path, "us_viewed_product_not_bought", "ads")
    assert path.name == "custom--us-viewed-product-not-bought--ads.csv"
    rows = read(path)
    assert rows[0] == ["email"]
    assert len(rows) - 1 == members(built_database, "us_viewed_product_not_bought", "ads") > 0
