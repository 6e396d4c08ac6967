-- One row per customer and UTC day with email activity, whatever as_of: deliveries, human and
-- machine opens, clicks, engagements, suppressions. int_customer_email_activity sums the days
-- before as_of's day, so customer rollups never rescan the event history.
-- Incremental: the days from the latest built day minus incremental_lookback_days are
-- rebuilt from int_email_events_flagged (the activity_date partitions: incremental_by_partition).
{{ config(on_schema_change='fail', **incremental_by_partition('activity_date')) }}
with

flagged_events as (
    select * from {{ ref('int_email_events_flagged') }}
    {% if is_incremental() -%}
        where {{ is_in_incremental_window('event_date', 'activity_date') }}
    {%- endif %}
)

select
    customer_id,
    event_date as activity_date,
    {{ email_day_measures() }}
from flagged_events
group by customer_id, event_date
