"""On the demo, the product pairs the generator plants (src/store_segments/generators/demo_data/knobs.py,
PLANTED_PAIRS) come out on top of product_associations: each planted pair is its first
product's strongest bought-together partner, and the planted pairs are the store's pairs of
highest lift. The build is the session fixture `built_database` of conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from store_segments.generators.generate_demo_data import PLANTED_PAIRS


@pytest.fixture()
def db(built_database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_database), read_only=True) as connection:
        yield connection


def planted_pair_ids(db: duckdb.DuckDBPyConnection) -> set[frozenset[str]]:
    ids = dict(db.execute("select product_name, product_id from main_staging.stg_shop__products").fetchall())
    return {frozenset((ids[first], ids[second])) for first, second in PLANTED_PAIRS}


def test_each_planted_pair_is_the_strongest_partner(db: duckdb.DuckDBPyConnection) -> None:
    top_partner = dict(db.execute(
        "select product_id, partner_product_id from product_associations"
        " where kind = 'bought_together' and partner_rank = 1").fetchall())
    for pair in planted_pair_ids(db):
        first, second = sorted(pair)
        assert top_partner.get(first) == second and top_partner.get(second) == first, pair


def test_planted_pairs_have_the_highest_lift(db: duckdb.DuckDBPyConnection) -> None:
    planted = planted_pair_ids(db)
    ranked = db.execute(
        "select product_id, partner_product_id from product_associations"
        " where kind = 'bought_together' and product_id < partner_product_id"
        " order by lift desc, product_id").fetchall()
    top = {frozenset(row) for row in ranked[:len(planted)]}
    assert top == planted


@pytest.mark.parametrize("kind", ["bought_together", "viewed_together"])
def test_planted_pairs_are_found_both_ways(db: duckdb.DuckDBPyConnection, kind: str) -> None:
    found = {frozenset(row) for row in db.execute(
        "select product_id, partner_product_id from product_associations where kind = ?",
        [kind]).fetchall()}
    assert planted_pair_ids(db) <= found
