-- One row per segment, member and send period (grain: segment_family + segment_name +
-- customer_id + is_within_deliverability_lookback): the sends a customer received while in that
-- segment at send time (int_email_recipient_segments), with their email measures summed. The
-- period splits the sends of the last deliverability_lookback_days before as_of, the only ones
-- deliverability_health judges, from the older ones.
-- A table, and the grain of the segment marts: at a million customers 20M recipients make 41M
-- recipient-segment rows, which sum to 2.8M here; writing and rescanning the 41M rows cost more
-- than the lookup that makes them (issue #5).
{{ config(materialized='table') }}

with

recipient_segments as (
    select * from {{ ref('int_email_recipient_segments') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

sends_with_period as (
    select
        recipient_segments.*,
        recipient_segments.sent_at
        > {{ dbt.dateadd('day', -1 * var('deliverability_lookback_days'), 'as_of_point.as_of') }}
            as is_within_deliverability_lookback
    from recipient_segments
    cross join as_of_point
)

select
    segment_family,
    segment_name,
    customer_id,
    is_within_deliverability_lookback,
    min(sent_at) as first_sent_at,
    max(sent_at) as last_sent_at,
    max(membership_as_of) as membership_as_of,
    count(case when membership_source = 'segment_history' then 1 end) as sends_with_recorded_membership,
    {{ email_recipient_counts() }}
from sends_with_period
group by segment_family, segment_name, customer_id, is_within_deliverability_lookback
