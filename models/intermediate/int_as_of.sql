-- One row: the instant every window of the build is measured back from (SPEC §1).
-- The var `as_of` when set; otherwise the latest staged order, email event or site event, so
-- the same data always builds the same segments (no model reads the clock).
-- A table: every model windowed on as_of reads it, and it scans all staged events once.
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

latest_event as (
    select max(occurred_at) as latest_event_at from all_events
)

select
    {% if as_of_literal() is none -%}
    latest_event_at as as_of,
    'latest_event' as as_of_source,
    {%- else -%}
    {{ as_of_literal() }} as as_of,
    'var' as as_of_source,
    {%- endif %}
    latest_event_at
from latest_event
