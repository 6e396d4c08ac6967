"""Journey holdouts on the demo (the session's `built_database`, built once):

- `int_journey_holdouts` agrees row for row with the demo generator's twin,
  `src/store_segments/generators/demo_data/holdouts.py`, for every demo customer and journey (and `all`), with the salt
  and global share as dbt resolves them and the shares of the built journey_priorities seed;
- no customer held out of a journey is due or queued for it in anything a sender reads: the
  journey tables and `journey_queue` (status due), `journey_step_products` (an email's products),
  in the work database and in a published snapshot (its DuckDB file and its Parquet files). Journey
  sends are in no audience export (`make export` writes `audience_members` rows): checked too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from store_segments.runtime import publish
from store_segments.dbt_door import DbtSession
from store_segments.generators.demo_data.holdouts import (
    DEMO_GLOBAL_HOLDOUT_SHARE,
    DEMO_HOLDOUT_SALT,
    holdout_fraction,
    is_held_out,
    journey_holdout_shares,
)
from tests_py.conftest import ROOT

JOURNEY_TABLES = (
    "journey_welcome", "journey_abandoned_cart", "journey_browse_abandonment", "journey_vip",
    "journey_winback", "journey_replenishment", "journey_cross_sell", "journey_birthday",
    "journey_anniversary", "journey_rfm_retention",
)
# Held-out (customer, journey) pairs, read once per connection into a temporary table.
HELD_OUT = "held_out"


@pytest.fixture(scope="module")
def dbt_settings(built_database: Path) -> dict[str, object]:
    """holdout_salt and global_holdout_share as dbt resolves them for the built database (the
    build's own target path: its partial parse makes the session's parse quick)."""
    work = built_database.parent
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEGMENTS_DUCKDB_PATH", str(built_database))
        patch.setenv("DBT_PROFILES_DIR", str(ROOT))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        session = DbtSession(ROOT, ("--target-path", str(work / "target"), "--log-path", str(work / "logs")))
        try:
            settings = {name: session.var(name) for name in ("segments__holdout_salt", "segments__global_holdout_share")}
        finally:
            session.release_database()
    return settings


@pytest.fixture(scope="module")
def published_snapshot(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> publish.PublishedSnapshot:
    """The built demo published as `make build` publishes it: what a sender reads."""
    return publish.publish(built_database, tmp_path_factory.mktemp("published"), keep=1)


@pytest.fixture()
def work(built_database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_database), read_only=True) as connection:
        yield connection


def test_int_journey_holdouts_agrees_with_the_python_twin(
    work: duckdb.DuckDBPyConnection, dbt_settings: dict[str, object]
) -> None:
    salt = str(dbt_settings["segments__holdout_salt"])
    global_share = float(str(dbt_settings["segments__global_holdout_share"]))
    shares = dict(work.execute("select journey, holdout_share from main_reference.journey_priorities").fetchall())
    shares["all"] = global_share
    customers = [row[0] for row in work.execute("select customer_id from main.customer_facts").fetchall()]
    built = {
        (customer_id, journey): (fraction, share, held_out, in_global, group)
        for customer_id, journey, fraction, share, held_out, in_global, group in work.execute(
            "select customer_id, journey, holdout_fraction, holdout_share, is_held_out, is_in_global_holdout, "
            "holdout_group from main_intermediate.int_journey_holdouts"
        ).fetchall()
    }
    expected = {}
    for customer_id in customers:
        in_global = holdout_fraction(salt, "all", customer_id) < global_share
        for journey, share in shares.items():
            held_out = is_held_out(salt, journey, customer_id, share, global_share)
            expected[(customer_id, journey)] = (
                holdout_fraction(salt, journey, customer_id), share, held_out, in_global,
                "holdout" if held_out else "treated",
            )
    assert len(customers) > 2000 and len(shares) == 11
    assert built.keys() == expected.keys()
    differing = [(key, built[key], value) for key, value in expected.items() if built[key] != value]
    assert not differing, differing[:5]
    # Not vacuous: each journey of the seed holds some customers out and treats the others.
    for journey in set(shares) - {"all"}:
        groups = {value[4] for (_, name), value in expected.items() if name == journey}
        assert groups == {"holdout", "treated"}, journey


def test_the_demo_generator_holds_out_whom_the_default_build_holds_out(
    work: duckdb.DuckDBPyConnection, dbt_settings: dict[str, object]
) -> None:
    """The demo's planted journey effects treat only the treated group: the generator's salt,
    global share and shares must be the ones the build uses."""
    assert dbt_settings == {"segments__holdout_salt": DEMO_HOLDOUT_SALT, "segments__global_holdout_share": DEMO_GLOBAL_HOLDOUT_SHARE}
    built_shares = dict(work.execute("select journey, holdout_share from main_reference.journey_priorities").fetchall())
    assert journey_holdout_shares() == {journey: float(share) for journey, share in built_shares.items()}


def _load_held_out(connection: duckdb.DuckDBPyConnection, built_database: Path) -> None:
    connection.execute(f"attach '{built_database}' as built (read_only)")
    connection.execute(
        f"create temporary table {HELD_OUT} as select customer_id, journey "
        "from built.main_intermediate.int_journey_holdouts where is_held_out"
    )
    connection.execute("detach built")


def _sent_to_held_out(connection: duckdb.DuckDBPyConnection, relation: str, where: str) -> list[tuple[object, ...]]:
    """Rows of `relation` (a table or a read_parquet call) for a customer held out of their journey."""
    return connection.execute(
        f"select rows.customer_id, rows.journey from {relation} as rows "
        f"inner join {HELD_OUT} using (customer_id, journey) where {where} limit 5"
    ).fetchall()


def _check_sender_inputs(
    connection: duckdb.DuckDBPyConnection, relation_of: dict[str, str]
) -> None:
    for table in (*JOURNEY_TABLES, "journey_queue"):
        assert not _sent_to_held_out(connection, relation_of[table], "rows.status = 'due'"), table
    assert not _sent_to_held_out(connection, relation_of["journey_step_products"], "true")
    # Not vacuous: held-out customers have rows in the queue, some of them in their step's window,
    # so they would have been due; and the queue sends to others.
    held, in_window, due = connection.execute(
        f"select count(*) filter (where rows.status = 'holdout'), "
        "count(*) filter (where rows.status = 'holdout' and rows.due_at <= rows.as_of and rows.as_of < rows.due_until), "
        f"(select count(*) from {relation_of['journey_queue']} where status = 'due') "
        f"from {relation_of['journey_queue']} as rows inner join {HELD_OUT} using (customer_id, journey)"
    ).fetchone() or (0, 0, 0)
    assert held > 100 and in_window > 0 and due > 0, (held, in_window, due)


def test_no_held_out_customer_is_due_in_the_work_database(built_database: Path) -> None:
    with duckdb.connect() as connection:
        _load_held_out(connection, built_database)
        connection.execute(f"attach '{built_database}' as work (read_only)")
        tables = (*JOURNEY_TABLES, "journey_queue", "journey_step_products")
        _check_sender_inputs(connection, {table: f"work.main.{table}" for table in tables})


def test_no_held_out_customer_is_due_in_the_published_snapshot(
    built_database: Path, published_snapshot: publish.PublishedSnapshot
) -> None:
    tables = (*JOURNEY_TABLES, "journey_queue", "journey_step_products")
    with duckdb.connect() as connection:
        _load_held_out(connection, built_database)
        connection.execute(f"attach '{published_snapshot.database}' as snapshot (read_only)")
        _check_sender_inputs(connection, {table: f"snapshot.main.{table}" for table in tables})
        # Every published table with a status per customer and journey is one of those checked.
        with_status = {
            name for (name,) in connection.execute(
                "select table_name from information_schema.columns where table_catalog = 'snapshot' "
                "and column_name in ('customer_id', 'journey', 'status') group by table_name having count(*) = 3"
            ).fetchall()
        }
        assert with_status <= set(tables), with_status - set(tables)
        # The same tables as Parquet files.
        parquet = {table: f"read_parquet('{published_snapshot.parquet_dir / (table + '.parquet')}')" for table in tables}
        _check_sender_inputs(connection, parquet)
        # Audience exports carry segments, never a journey's send.
        families = {family for (family,) in connection.execute(
            "select distinct audience_family from snapshot.main_activation.audience_members").fetchall()}
        assert families and not any("journey" in str(family) for family in families), families
