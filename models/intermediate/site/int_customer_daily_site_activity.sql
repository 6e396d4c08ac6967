-- One row per identified customer and UTC day with site events, whatever as_of and before
-- tracking consent (applied per customer in int_customer_site_activity, so a consent change
-- needs no rebuild of the days). Customer rollups sum these days instead of rescanning events.
-- Incremental: the days from the latest built day minus incremental_lookback_days are
-- rebuilt from stg_web__events (the activity_date partitions: incremental_by_partition).
{{ config(on_schema_change='fail', **incremental_by_partition('activity_date')) }}
with

site_events as (
    select
        *,
        cast(occurred_at as date) as event_date
    from {{ ref('stg_web__events') }}
    where customer_id is not null
),

batch as (
    select * from site_events
    {% if is_incremental() -%}
        where {{ is_in_incremental_window('occurred_at', 'last_site_event_at') }}
    {%- endif %}
)

select
    customer_id,
    event_date as activity_date,
    {{ site_day_measures() }}
from batch
group by customer_id, event_date
