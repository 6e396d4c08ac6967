-- One row: the instant every window of the build is measured back from (docs/definitions.md §1).
-- The var `as_of` when set; otherwise the latest staged order, email event or site event on the
-- latest corroborated day, so the same data always builds the same segments (no model reads the
-- clock) and no single row dated after the rest of the data can move it (vars as_of_*).
-- A table: every model windowed on as_of reads it, and it scans all staged events once: the rows
-- after as_of are counted from the same per-day pass (a derived as_of is the latest row of its
-- day, so they are the rows of the later days; a var segments__as_of is known when the SQL is written).
{{ config(materialized='table') }}
with

orders as (
    select ordered_at as occurred_at from {{ ref('stg_shop__orders') }}
),

email_events as (
    select occurred_at from {{ ref('stg_email__events') }}
),

site_events as (
    select occurred_at from {{ ref('stg_web__events') }}
),

all_events as (
    select occurred_at from orders
    union all
    select occurred_at from email_events
    union all
    select occurred_at from site_events
),

activity_days as (
    select
        cast(occurred_at as date) as activity_date,
        count(*) as row_count,
        {% if as_of_literal() is not none -%}
        count(case when occurred_at > {{ as_of_literal() }} then 1 end) as rows_after_var_as_of,
        {% endif -%}
        max(occurred_at) as latest_at
    from all_events
    group by cast(occurred_at as date)
),

-- A day of its own with a single row (a typo'd year, a clock ahead) is not corroborated.
corroborated_days as (
    select
        activity_date,
        latest_at,
        lag(activity_date) over (order by activity_date) as previous_date
    from activity_days
    where row_count >= {{ var('segments__as_of_min_rows_per_day') }}
),

-- Nor is a day far past the one before it (rows sharing a sentinel date).
continuous_days as (
    select latest_at
    from corroborated_days
    where
        previous_date is null
        or {{ dbt.datediff('previous_date', 'activity_date', 'day') }}
        <= {{ var('segments__as_of_max_gap_days') }}
),

latest_event as (
    select
        (select max(latest_at) from activity_days) as latest_event_at,
        -- A store too small to have a corroborated day falls back to its latest row.
        coalesce(
            (select max(latest_at) from continuous_days),
            (select max(latest_at) from activity_days)
        ) as latest_corroborated_at
),

as_of_point as (
    select
        {% if as_of_literal() is none -%}
        latest_corroborated_at as as_of,
        'latest_event' as as_of_source,
        {%- else -%}
        {{ as_of_literal() }} as as_of,
        'var' as as_of_source,
        {%- endif %}
        latest_event_at
    from latest_event
),

rows_after as (
    select
        {% if as_of_literal() is none -%}
        coalesce(sum(
            case when activity_days.activity_date > cast(as_of_point.as_of as date) then activity_days.row_count end
        ), 0)
        {%- else -%}
        coalesce(sum(activity_days.rows_after_var_as_of), 0)
        {%- endif %} as rows_after_as_of
    from activity_days
    cross join as_of_point
)

select
    as_of_point.as_of,
    as_of_point.as_of_source,
    as_of_point.latest_event_at,
    cast(rows_after.rows_after_as_of as {{ dbt.type_bigint() }}) as rows_after_as_of
from as_of_point
cross join rows_after
