-- One row per UTC calendar day of the plausible window (docs/definitions.md §1.4): the time spine
-- MetricFlow joins time dimensions to. Every counted timestamp lies in that window, so the spine
-- covers every day a metric can fall on, and it depends on vars only, never on the clock.
with

spine as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('segments__plausible_timestamp_min') ~ "' as date)",
        "cast('" ~ var('segments__plausible_timestamp_max') ~ "' as date)"
    ) }}
),

days_in_window as (
    -- date_spine stops before its end date; the filter states the exclusive upper bound anyway.
    select cast(date_day as date) as date_day
    from spine
    where cast(date_day as date) < cast('{{ var("segments__plausible_timestamp_max") }}' as date)
)

select date_day
from days_in_window
