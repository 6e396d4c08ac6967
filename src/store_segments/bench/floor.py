"""The benchmark's floor: the core of customer_facts written by hand, in one DuckDB script.

From the same raw tables the project builds from (all text), one connection stages what the facts
need — cleaned ids and codes, parsed timestamps and amounts, every quarantine rule that drops a
row, duplicates removed, orders converted to the reporting currency — computes as_of by the rule of
int_as_of, and rolls the orders, email events and site events up per customer into one table. It
is what a careful engineer would write to get the same numbers in one pass, with no dbt, no
layers and no columns nobody asked for; `compare` checks it gives them (docs/scaling.md).

The rules are read from the project: the vars as dbt resolves them (store_segments/dbt_door.py), the
country spellings from the country_codes seed. What is not here because no compared column depends on it: products and
order lines, message attributes, birth dates beyond whether they parse, and the audit outputs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from store_segments.dbt_door import REPO_ROOT, ProjectSettings, project_settings

TABLE = "customer_facts_floor"
# The columns of customer_facts the floor computes: what the personas read, and three email counts.
COLUMNS: tuple[str, ...] = (
    "as_of", "valid_orders", "lifetime_net_revenue", "aov", "days_since_last_order", "days_since_created",
    "emails_delivered", "human_opens", "clicks", "email_engagements_recent", "email_engagements_before_recent",
    "days_since_last_email_engagement", "days_since_last_shopping_event", "days_since_last_engagement",
)
RAW_TABLES: tuple[str, ...] = ("customers", "orders", "exchange_rates", "email_messages", "email_events",
                               "web_events")


def parquet_tables(data_dir: Path) -> dict[str, str]:
    """The raw tables as store_segments/generators/generate_data.py writes them (raw_file_pattern `{table}/*.parquet`)."""
    return {table: f"read_parquet('{data_dir.resolve()}/{table}/*.parquet')" for table in RAW_TABLES}


def csv_tables(folder: Path, prefix: str = "raw_") -> dict[str, str]:
    """The raw tables as CSV files `<prefix><table>.csv` (the demo seeds), every column as text."""
    return {table: f"read_csv('{folder.resolve()}/{prefix}{table}.csv', header = true, all_varchar = true, "
                   "delim = ',', quote = '\"', escape = '\"')" for table in RAW_TABLES}


def literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def sql_list(values: list[Any]) -> str:
    return "(" + ", ".join(literal(value) for value in values) + ")"


def utc_timestamp(value: object) -> str:
    """An ISO date or timestamp var as a UTC timestamp literal (macro timestamp_literal)."""
    parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return f"timestamp '{parsed:%Y-%m-%d %H:%M:%S}'"


# The text cleaning of macros/cleaning.sql and the timestamp parsing of macros/parse_utc_timestamp.sql,
# as DuckDB macros: the regex runs only on values that may need it, as in the project.
MACROS = r"""
create or replace temp macro may_need_cleaning(x) as
    x < '!' or x >= chr(127) or reverse(x) < '!' or x like ('%' || chr(127)) or strlen(x) <> length(x);
create or replace temp macro clean_text(x) as nullif(
    case when may_need_cleaning(x) then regexp_replace(x, '^[\s\p{Z}\p{C}]+|[\s\p{Z}\p{C}]+$', '', 'g') else x end,
    '');
create or replace temp macro clean_id(x) as nullif(
    case
        when may_need_cleaning(x) or strlen(cast(to_json(x) as varchar)) <> strlen(x) + 2 or contains(x, chr(127))
            then regexp_replace(x, '^[\s\p{Z}\p{C}]+|[\s\p{Z}\p{C}]+$|[\p{Cc}\p{Cf}]', '', 'g')
        else x
    end,
    '');
create or replace temp macro clean_code(x) as lower(clean_text(x));
create or replace temp macro flag(x) as case
    when clean_code(x) in ('true', 't', 'yes', 'y', '1') then true
    when clean_code(x) in ('false', 'f', 'no', 'n', '0') then false
end;
create or replace temp macro money(x) as try_cast(clean_text(x) as decimal(18, 2));
-- 19 characters (no offset) is UTC as written; `infinity` is no instant; else honour the offset.
create or replace temp macro utc(x) as case
    when length(x) = 19 then try_cast(x as timestamp)
    when x ilike '%infinity' then null
    else cast(try_cast(x as timestamptz) at time zone 'UTC' as timestamp)
end;
"""


def floor_statements(raw: Mapping[str, str], variables: Mapping[str, Any], country_codes: str) -> list[str]:
    """The script: staging of what the facts read, as_of, then the facts table."""
    v = variables
    low, high = utc_timestamp(v["segments__plausible_timestamp_min"]), utc_timestamp(v["segments__plausible_timestamp_max"])

    def plausible(column: str) -> str:
        """In the window [plausible_timestamp_min, plausible_timestamp_max) (macro is_plausible_timestamp)."""
        return f"({column} >= {low} and {column} < {high})"

    def implausible(amount: str) -> str:
        """Above max_plausible_order_value in the reporting currency (macro is_implausible_amount);
        an amount that is not there is not implausible."""
        return f"coalesce({amount}::double * rate::double > {float(v['segments__max_plausible_order_value'])}, false)"

    reporting = literal(v["segments__reporting_currency"])
    recent = int(v["segments__engaged_recent_days"])
    machine_agent = " or ".join(f"lower(coalesce(user_agent, '')) like {literal(p)}"
                                for p in v["segments__machine_open_user_agent_patterns"])
    if v.get("segments__as_of") in (None, ""):
        as_of = """coalesce(
                (select max(latest_at) from corroborated
                 where previous_date is null or date_diff('day', previous_date, activity_date) <= {gap}),
                (select max(latest_at) from activity_days))""".format(gap=int(v["segments__as_of_max_gap_days"]))
    else:
        as_of = utc_timestamp(v["segments__as_of"])
    return [
        MACROS,
        # Staged customers (base_shop__customers): the checks that quarantine a row, then one row per id.
        f"""
        create temp table customers as
        with cleaned as (
            select
                clean_id(customer_id) as customer_id,
                lower(clean_text(email)) as email,
                upper(clean_text(country_code)) as written_country_code,
                utc(clean_text(created_at)) as parsed_created_at,
                clean_code(email_consent) as email_consent,
                clean_text(tracking_consent) as raw_tracking_consent,
                flag(tracking_consent) as has_tracking_consent,
                clean_text(birth_date) as raw_birth_date
            from {raw['customers']}
        ),
        usable as (
            select
                cleaned.*,
                codes.country_code as known_country_code,
                coalesce(codes.country_code, cleaned.written_country_code) as country_code,
                -- An implausible sign-up time is unknown; the customer stays.
                case when {plausible('parsed_created_at')}
                    then parsed_created_at end as created_at
            from cleaned
            left join {country_codes} as codes on cleaned.written_country_code = codes.code
            where
                customer_id is not null
                and parsed_created_at is not null
                and (raw_birth_date is null or try_cast(raw_birth_date as date) is not null)
                and email_consent in ('subscribed', 'unsubscribed', 'never_subscribed')
                and (raw_tracking_consent is null or has_tracking_consent is not null)
        )
        select
            customer_id,
            created_at,
            -- Site events count unless the country needs consent (or is unknown) and it is missing.
            not (
                written_country_code is not null
                and (country_code in {sql_list(v['segments__consent_required_countries'])} or known_country_code is null)
            ) or coalesce(has_tracking_consent, false) as counts_site_events
        from usable
        qualify row_number() over (
            partition by customer_id
            order by created_at desc nulls last, email asc nulls last, country_code asc nulls last
        ) = 1
        """,
        # Staged exchange rates (one per currency and day: the lowest of repeated copies), as the
        # rate in effect on each day: a rate holds until the currency's next rate date. An
        # equality join of the orders to these days is far cheaper than a range join.
        f"""
        create temp table rates as
        with cleaned as (
            select
                upper(clean_text(currency)) as currency,
                clean_text(rate_date) as raw_rate_date,
                try_cast(clean_text(rate_date) as date) as rate_date,
                try_cast(clean_text(rate_to_reporting) as decimal(18, 10)) as rate
            from {raw['exchange_rates']}
        ),
        staged as (
            select currency, rate_date, min(rate) as rate
            from cleaned
            where
                currency is not null and raw_rate_date is not null and rate_date is not null
                and {plausible('cast(rate_date as timestamp)')}
                and rate > 0
            group by currency, rate_date
        ),
        periods as (
            select *, lead(rate_date) over (partition by currency order by rate_date) as next_rate_date
            from staged
        )
        select
            currency,
            cast(unnest(generate_series(
                rate_date, coalesce(next_rate_date - 1, cast({high} as date)), interval 1 day
            )) as date) as rate_day,
            rate
        from periods
        """,
        # Staged orders (checked_shop__orders) with their rate, valid flag and net revenue in the
        # reporting currency (int_orders): one rounding per order.
        f"""
        create temp table orders as
        with cleaned as materialized (
            select
                clean_id(order_id) as order_id,
                clean_id(customer_id) as customer_id,
                utc(clean_text(ordered_at)) as ordered_at,
                clean_code(status) as status,
                upper(clean_text(currency)) as currency,
                money(subtotal) as subtotal, clean_text(subtotal) as raw_subtotal,
                money(discount) as discount, clean_text(discount) as raw_discount,
                money(shipping) as shipping, clean_text(shipping) as raw_shipping,
                money(total) as total,
                coalesce(money(refunded_amount), 0) as refunded_amount,
                clean_text(refunded_amount) as raw_refunded_amount
            from {raw['orders']}
        ),
        rated as (
            select
                cleaned.*,
                case when cleaned.currency = {reporting} then cast(1 as decimal(18, 10)) else rates.rate end as rate
            from cleaned
            left join rates
                on cleaned.currency = rates.currency and cast(cleaned.ordered_at as date) = rates.rate_day
        ),
        usable as (
            select *
            from rated
            where
                order_id is not null and customer_id is not null
                and {plausible('ordered_at')}
                and total >= 0 and refunded_amount >= 0
                and (raw_refunded_amount is null or money(raw_refunded_amount) is not null)
                and (raw_subtotal is null or subtotal >= 0)
                and (raw_discount is null or discount >= 0)
                and (raw_shipping is null or shipping >= 0)
                and status in {sql_list(v['segments__valid_order_statuses'] + v['segments__cancelled_order_statuses'])}
                and rate is not null
                and not {implausible('total')} and not {implausible('subtotal')} and not {implausible('discount')}
                and not {implausible('shipping')} and not {implausible('refunded_amount')}
                and customer_id in (select customer_id from customers)
            -- Copies that name different customers are all quarantined (conflicting_duplicate).
            qualify
                row_number() over (partition by order_id order by ordered_at desc, total desc) = 1
                and min(customer_id) over (partition by order_id) = max(customer_id) over (partition by order_id)
        ),
        netted as (
            select
                *,
                status in {sql_list(v['segments__valid_order_statuses'])} and not (total > 0 and refunded_amount >= total)
                    as is_valid
            from usable
        )
        select
            customer_id,
            ordered_at,
            is_valid,
            cast(round((case when is_valid then greatest(total - refunded_amount, 0) else 0 end) * rate, 2)
                as decimal(18, 2)) as net_revenue
        from netted
        """,
        # Staged email events (checked_email__events): the first copy of each event id; whether an
        # open is a machine open by the source's flag or its user agent is decided here.
        f"""
        create temp table email_events as
        with messages as (
            select clean_id(message_id) as message_id
            from {raw['email_messages']}
            where
                {plausible('utc(clean_text(sent_at))')}
                and clean_code(message_type) in ('campaign', 'flow')
                and (
                    clean_text(flow_step) is null
                    or (regexp_matches(trim(clean_text(flow_step)), '^[+-]?[0-9]+$')
                        and try_cast(trim(clean_text(flow_step)) as integer) is not null)
                )
        ),
        -- Materialized: each cleaned value is computed once, not again in every check that reads it.
        cleaned as materialized (
            select
                clean_id(event_id) as event_id,
                clean_id(message_id) as message_id,
                clean_id(customer_id) as customer_id,
                clean_code(event_type) as event_type,
                utc(clean_text(occurred_at)) as occurred_at,
                clean_code(bounce_type) as bounce_type,
                clean_text(user_agent) as user_agent,
                flag(is_machine_open) as is_flagged_machine_open,
                clean_text(is_machine_open) as raw_is_machine_open
            from {raw['email_events']}
        ),
        usable as (
            select
                event_id,
                customer_id,
                message_id,
                event_type,
                occurred_at,
                event_type = 'opened' and (coalesce(is_flagged_machine_open, false) or {machine_agent})
                    as is_machine_by_source
            from cleaned
            where
                event_id is not null and message_id is not null and customer_id is not null
                and {plausible('occurred_at')}
                and event_type in ('sent', 'delivered', 'bounced', 'opened', 'clicked', 'unsubscribed', 'marked_as_spam')
                and (raw_is_machine_open is null or is_flagged_machine_open is not null)
                and (bounce_type is null or bounce_type in ('hard', 'soft'))
                and customer_id in (select customer_id from customers)
                and message_id in (select message_id from messages where message_id is not null)
        )
        select * exclude (event_id)
        from usable
        qualify
            row_number() over (partition by event_id order by occurred_at, event_type) = 1
            and min(customer_id) over (partition by event_id) = max(customer_id) over (partition by event_id)
        """,
        # Staged site events (checked_web__events), anonymous ones too: they count toward as_of.
        f"""
        create temp table web_events as
        with cleaned as materialized (
            select
                clean_id(event_id) as event_id,
                clean_id(session_id) as session_id,
                clean_id(customer_id) as customer_id,
                clean_id(anonymous_id) as anonymous_id,
                clean_code(event_type) as event_type,
                utc(clean_text(occurred_at)) as occurred_at
            from {raw['web_events']}
        )
        select customer_id, event_type, occurred_at
        from cleaned
        where
            event_id is not null and session_id is not null
            and (customer_id is not null or anonymous_id is not null)
            and {plausible('occurred_at')}
            and event_type in
                ('page_view', 'category_view', 'product_view', 'add_to_cart', 'checkout_started', 'order_completed')
            and (customer_id is null or customer_id in (select customer_id from customers))
        -- An anonymous copy names nobody: against a copy that names a customer, it conflicts too.
        qualify
            row_number() over (partition by event_id order by occurred_at, event_type) = 1
            and min(coalesce(customer_id, '')) over (partition by event_id)
                = max(coalesce(customer_id, '')) over (partition by event_id)
        """,
        # as_of (int_as_of): the latest staged row on the latest corroborated day.
        f"""
        create temp table as_of as
        with activity_days as (
            select cast(occurred_at as date) as activity_date, count(*) as row_count, max(occurred_at) as latest_at
            from (
                select ordered_at as occurred_at from orders
                union all select occurred_at from email_events
                union all select occurred_at from web_events
            )
            group by 1
        ),
        corroborated as (
            select activity_date, latest_at, lag(activity_date) over (order by activity_date) as previous_date
            from activity_days
            where row_count >= {int(v['segments__as_of_min_rows_per_day'])}
        )
        select {as_of} as as_of
        """,
        # The facts: each rollup counts what happened at or before as_of.
        f"""
        create or replace table {TABLE} as
        with order_rollup as (
            select
                customer_id,
                count(*) as valid_orders,
                sum(net_revenue) as lifetime_net_revenue,
                min(date_diff('day', ordered_at, as_of)) as days_since_last_order
            from orders, as_of
            where is_valid and ordered_at <= as_of
            group by customer_id
        ),
        -- A machine open also comes less than machine_open_max_seconds after the message's first
        -- delivery to the customer, among all staged deliveries.
        deliveries as (
            select message_id, customer_id, min(occurred_at) as delivered_at
            from email_events
            where event_type = 'delivered'
            group by message_id, customer_id
        ),
        email_classified as (
            select
                events.customer_id,
                events.event_type,
                events.occurred_at,
                events.event_type = 'clicked' or (
                    events.event_type = 'opened' and not events.is_machine_by_source
                    and not coalesce(date_diff('second', deliveries.delivered_at, events.occurred_at)
                        < {int(v['segments__machine_open_max_seconds'])}, false)
                ) as is_engagement
            from email_events as events
            left join deliveries
                on events.event_type = 'opened'
                and events.message_id = deliveries.message_id
                and events.customer_id = deliveries.customer_id
        ),
        email_rollup as (
            select
                customer_id,
                count(*) filter (where event_type = 'delivered') as emails_delivered,
                count(*) filter (where is_engagement and event_type = 'opened') as human_opens,
                count(*) filter (where event_type = 'clicked') as clicks,
                count(*) filter (where is_engagement and date_diff('day', occurred_at, as_of) <= {recent})
                    as email_engagements_recent,
                count(*) filter (where is_engagement and date_diff('day', occurred_at, as_of) > {recent})
                    as email_engagements_before_recent,
                max(occurred_at) filter (where is_engagement) as last_email_engaged_at
            from email_classified, as_of
            where occurred_at <= as_of
            group by customer_id
        ),
        site_rollup as (
            select
                web_events.customer_id,
                max(occurred_at) as last_site_event_at,
                max(occurred_at) filter (where event_type in ('product_view', 'add_to_cart', 'checkout_started'))
                    as last_shopping_event_at
            from web_events
            inner join customers on web_events.customer_id = customers.customer_id
            cross join as_of
            where customers.counts_site_events and occurred_at <= as_of
            group by web_events.customer_id
        ),
        joined as (
            select
                customers.customer_id,
                as_of.as_of,
                customers.created_at,
                coalesce(order_rollup.valid_orders, 0) as valid_orders,
                coalesce(order_rollup.lifetime_net_revenue, 0) as lifetime_net_revenue,
                order_rollup.days_since_last_order,
                coalesce(email_rollup.emails_delivered, 0) as emails_delivered,
                coalesce(email_rollup.human_opens, 0) as human_opens,
                coalesce(email_rollup.clicks, 0) as clicks,
                coalesce(email_rollup.email_engagements_recent, 0) as email_engagements_recent,
                coalesce(email_rollup.email_engagements_before_recent, 0) as email_engagements_before_recent,
                email_rollup.last_email_engaged_at,
                site_rollup.last_shopping_event_at,
                case
                    when email_rollup.last_email_engaged_at is null then site_rollup.last_site_event_at
                    when site_rollup.last_site_event_at is null then email_rollup.last_email_engaged_at
                    else greatest(email_rollup.last_email_engaged_at, site_rollup.last_site_event_at)
                end as last_engaged_at
            from customers
            cross join as_of
            left join order_rollup on customers.customer_id = order_rollup.customer_id
            left join email_rollup on customers.customer_id = email_rollup.customer_id
            left join site_rollup on customers.customer_id = site_rollup.customer_id
            where customers.created_at <= as_of.as_of or customers.created_at is null
        )
        select
            customer_id,
            as_of,
            valid_orders,
            cast(lifetime_net_revenue as decimal(18, 2)) as lifetime_net_revenue,
            -- Rounded half up to cents, exactly, in integer cents (macro divide_half_up).
            case when valid_orders > 0 then cast(
                cast((2 * cast(lifetime_net_revenue * 100 as bigint) + valid_orders) // (2 * valid_orders)
                    as decimal(38, 0)) * 0.01
                as decimal(18, 2))
            end as aov,
            days_since_last_order,
            date_diff('day', created_at, as_of) as days_since_created,
            emails_delivered,
            human_opens,
            clicks,
            email_engagements_recent,
            email_engagements_before_recent,
            date_diff('day', last_email_engaged_at, as_of) as days_since_last_email_engagement,
            date_diff('day', last_shopping_event_at, as_of) as days_since_last_shopping_event,
            date_diff('day', last_engaged_at, as_of) as days_since_last_engagement
        from joined
        """,
    ]


@dataclass
class Timed:
    """The floor's wall and CPU seconds (CPU of every thread of this process)."""

    wall_seconds: float
    cpu_seconds: float


def run_floor(raw: Mapping[str, str], database: Path, settings: ProjectSettings | None = None,
              overrides: Mapping[str, Any] | None = None, root: Path = REPO_ROOT) -> Timed:
    """Run the script into `database` (table customer_facts_floor) with the vars and DuckDB's
    threads and memory cap that dbt resolves: `settings` (e.g. a DbtSession's), else those of the
    project with `overrides` as its --vars; return its wall and CPU time."""
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    if settings is None:
        settings = project_settings(root, dict(overrides or {}))
    variables, threads, memory_limit = settings.vars, settings.duckdb_threads, settings.duckdb_memory_limit
    country_codes = (f"read_csv('{(root / 'seeds' / 'reference' / 'country_codes.csv').resolve()}', "
                     "header = true, all_varchar = true)")
    connection = duckdb.connect(str(database))
    connection.execute(f"set threads = {threads}; set memory_limit = '{memory_limit}'; set TimeZone = 'UTC'; "
                       "set preserve_insertion_order = false; set enable_progress_bar = false")
    started, cpu_started = time.monotonic(), time.process_time()
    for statement in floor_statements(raw, variables, country_codes):
        connection.execute(statement)
    timed = Timed(wall_seconds=time.monotonic() - started, cpu_seconds=time.process_time() - cpu_started)
    connection.close()
    return timed


@dataclass
class Agreement:
    """How the floor's table and the project's customer_facts differ, customer by customer."""

    customers: int = 0
    only_floor: int = 0
    only_project: int = 0
    differing: dict[str, int] = field(default_factory=dict)

    @property
    def mismatches(self) -> int:
        return self.only_floor + self.only_project + sum(self.differing.values())

    def summary(self) -> str:
        if self.mismatches == 0:
            columns = len(self.differing)
            return f"agrees on all {self.customers:,} customers, {columns} column{'s' if columns != 1 else ''}"
        parts = [f"{column} {count:,}" for column, count in self.differing.items() if count]
        return (f"{self.mismatches:,} mismatches over {self.customers:,} customers: only in the floor "
                f"{self.only_floor:,}, only in customer_facts {self.only_project:,}"
                + (", differing " + ", ".join(parts) if parts else ""))


def compare(floor_database: Path, project_database: Path, relation: str = "main.customer_facts") -> Agreement:
    """Per column of COLUMNS, the customers whose value differs (NULL equals NULL), and the
    customers present on one side only."""
    connection = duckdb.connect()
    connection.execute(f"attach '{floor_database}' as floor_db (read_only)")
    connection.execute(f"attach '{project_database}' as project_db (read_only)")
    counts = ", ".join(
        f"count(*) filter (where f.customer_id is not null and p.customer_id is not null "
        f"and f.{column} is distinct from p.{column})" for column in COLUMNS
    )
    row = connection.execute(
        f"""
        select
            count(*),
            count(*) filter (where p.customer_id is null),
            count(*) filter (where f.customer_id is null),
            {counts}
        from floor_db.main.{TABLE} as f
        full outer join project_db.{relation} as p on f.customer_id = p.customer_id
        """
    ).fetchone()
    connection.close()
    assert row is not None
    return Agreement(customers=int(row[0]), only_floor=int(row[1]), only_project=int(row[2]),
                     differing={column: int(count) for column, count in zip(COLUMNS, row[3:])})


def main(argv: list[str] | None = None) -> int:
    """The floor alone: from generated Parquet or the demo's CSV seeds into a DuckDB file, with the
    project's vars; with --compare, its agreement with a built customer_facts (exit 1 when not)."""
    import argparse

    import yaml

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    raw = parser.add_mutually_exclusive_group(required=True)
    raw.add_argument("--data-dir", type=Path, help="raw tables as Parquet, as generate-data writes them")
    raw.add_argument("--seeds", type=Path, help="raw tables as the demo's CSV seeds (raw_<table>.csv)")
    parser.add_argument("--database", type=Path, default=REPO_ROOT / "target" / "floor.duckdb",
                        help=f"where the floor writes its table {TABLE} (replaced)")
    parser.add_argument("--vars", default="", help="vars (YAML), as for dbt --vars")
    parser.add_argument("--compare", type=Path, metavar="DATABASE",
                        help="a built database whose main.customer_facts the floor must agree with")
    args = parser.parse_args(argv)
    tables = parquet_tables(args.data_dir) if args.data_dir else csv_tables(args.seeds)
    overrides = dict(yaml.safe_load(args.vars) or {}) if args.vars.strip() else {}
    args.database.parent.mkdir(parents=True, exist_ok=True)
    timed = run_floor(tables, args.database, overrides=overrides)
    print(f"floor: {timed.wall_seconds:.2f} s wall, {timed.cpu_seconds:.2f} s CPU, into {args.database}")
    if args.compare is None:
        return 0
    agreement = compare(args.database, args.compare)
    print(f"customer_facts: {agreement.summary()}")
    return 1 if agreement.mismatches else 0
