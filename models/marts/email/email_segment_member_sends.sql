-- One row per segment, member and send period (grain: segment_family + segment_name +
-- customer_id + is_within_deliverability_lookback): the sends a customer received while in that
-- segment at send time (email_recipient_segments), with their email measures summed. The
-- period splits the sends of the last deliverability_lookback_days before as_of, the only ones
-- deliverability_health judges, from the older ones.
-- A table, and the grain of the segment marts: at a million customers 20M recipients make 41M
-- recipient-segment rows, which sum to 2.8M here; writing and rescanning the 41M rows cost more
-- than the lookup that makes them.
{{ config(materialized='table') }}

with

recipient_segments as (
    select * from {{ ref('email_recipient_segments') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

sends_with_period as (
    select
        recipient_segments.*,
        recipient_segments.sent_at
        > {{ dbt.dateadd('day', -1 * var('segments__deliverability_lookback_days'), 'as_of_point.as_of') }}
            as is_within_deliverability_lookback
    from recipient_segments
    cross join as_of_point
),

sums as (
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
)

select
    cast(segment_family as {{ dbt.type_string() }}) as segment_family,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    is_within_deliverability_lookback,
    cast(first_sent_at as {{ dbt.type_timestamp() }}) as first_sent_at,
    cast(last_sent_at as {{ dbt.type_timestamp() }}) as last_sent_at,
    cast(membership_as_of as {{ dbt.type_timestamp() }}) as membership_as_of,
    cast(sends_with_recorded_membership as {{ dbt.type_int() }}) as sends_with_recorded_membership,
    cast(recipients as {{ dbt.type_int() }}) as recipients,
    cast(delivered as {{ dbt.type_int() }}) as delivered,
    cast(bounces as {{ dbt.type_int() }}) as bounces,
    cast(hard_bounces as {{ dbt.type_int() }}) as hard_bounces,
    cast(soft_bounces as {{ dbt.type_int() }}) as soft_bounces,
    cast(unique_human_opens as {{ dbt.type_int() }}) as unique_human_opens,
    cast(human_opens as {{ dbt.type_int() }}) as human_opens,
    cast(machine_opens as {{ dbt.type_int() }}) as machine_opens,
    cast(unique_clicks as {{ dbt.type_int() }}) as unique_clicks,
    cast(clicks as {{ dbt.type_int() }}) as clicks,
    cast(unsubscribes as {{ dbt.type_int() }}) as unsubscribes,
    cast(spam_complaints as {{ dbt.type_int() }}) as spam_complaints,
    cast(attributed_orders as {{ dbt.type_int() }}) as attributed_orders,
    cast(attributed_purchasers as {{ dbt.type_int() }}) as attributed_purchasers,
    cast(attributed_revenue as {{ type_money() }}) as attributed_revenue
from sums
