-- One row per message recipient and segment family (grain: message_id + customer_id +
-- segment_family): the recipient's primary persona and RFM segment at send time. That is the
-- latest build recorded in segment_history at or before the send, at most
-- segment_history_max_age_days earlier (exact to the builds' spacing); a send with no such build
-- falls back to the membership at as_of, an approximation for older sends (membership_source).
-- A mart because it reads marts (segment_history, customer_personas, customer_rfm).
-- A view on DuckDB (a table on Spark, where a view would be recomputed by every reader):
-- email_segment_member_sends is its one reader and sums it per segment and customer, so its 41M
-- rows at a million customers (20M recipients, two rows each) are never written. It
-- carries only what the segment marts measure: the message's own columns are in
-- stg_email__messages, on message_id.
{{ config(materialized='table' if target.type == 'spark' else 'view') }}

with

recipients as (
    select * from {{ ref('int_email_recipients') }}
),

customer_personas as (
    select * from {{ ref('customer_personas') }}
),

customer_rfm as (
    select * from {{ ref('customer_rfm') }}
),

segment_history as (
    select * from {{ ref('segment_history') }}
),

persona_catalog as (
    select * from {{ ref('persona_catalog') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

recorded_builds as (
    select distinct as_of as recorded_as_of
    from segment_history
),

-- The build of each send instant, not of each recipient: recipients share send instants (at a
-- million customers 20M recipients have 2.8M), and joining back on one timestamp column is
-- cheaper than grouping 20M recipients by their two keys.
send_instants as (
    select distinct sent_at
    from recipients
),

send_builds as (
    select
        send_instants.sent_at,
        max(recorded_builds.recorded_as_of) as recorded_as_of
    from send_instants
    inner join recorded_builds
        on send_instants.sent_at >= recorded_builds.recorded_as_of
        and {{ dbt.dateadd('day', -1 * var('segments__segment_history_max_age_days'), 'send_instants.sent_at') }}
        <= recorded_builds.recorded_as_of
    group by send_instants.sent_at
),

-- The primary persona of a recorded build: its persona of lowest precedence (as customer_personas).
recorded_personas as (
    select
        segment_history.as_of,
        segment_history.customer_id,
        segment_history.segment_name,
        row_number() over (
            partition by segment_history.as_of, segment_history.customer_id
            order by persona_catalog.precedence
        ) as precedence_order
    from segment_history
    inner join persona_catalog
        on segment_history.segment_name = persona_catalog.persona_name
    where segment_history.segment_family in ('purchase_persona', 'engagement_persona')
),

recorded_rfm_segments as (
    select
        as_of,
        customer_id,
        segment_name
    from segment_history
    where segment_family = 'rfm_segment'
),

recipients_with_build as (
    select
        recipients.message_id,
        recipients.customer_id,
        recipients.sent_at,
        recipients.is_delivered,
        recipients.is_bounced,
        recipients.is_hard_bounce,
        recipients.is_soft_bounce,
        recipients.human_opens,
        recipients.machine_opens,
        recipients.clicks,
        recipients.has_human_open,
        recipients.has_click,
        recipients.has_unsubscribed,
        recipients.has_marked_as_spam,
        recipients.attributed_orders,
        recipients.attributed_revenue,
        send_builds.recorded_as_of,
        coalesce(send_builds.recorded_as_of, as_of_point.as_of) as membership_as_of,
        case when send_builds.recorded_as_of is null then 'as_of' else 'segment_history' end as membership_source
    from recipients
    cross join as_of_point
    left join send_builds
        on recipients.sent_at = send_builds.sent_at
),

primary_personas as (
    select
        recipients_with_build.*,
        'primary_persona' as segment_family,
        case
            -- A recorded build without a persona row for the customer: no persona then.
            when recipients_with_build.recorded_as_of is not null
                then coalesce(recorded_personas.segment_name, 'Unclassified')
            -- A recipient missing from customer_personas was created after as_of.
            else coalesce(customer_personas.primary_persona, 'Not a customer at as_of')
        end as segment_name
    from recipients_with_build
    left join recorded_personas
        on recipients_with_build.recorded_as_of = recorded_personas.as_of
        and recipients_with_build.customer_id = recorded_personas.customer_id
        and recorded_personas.precedence_order = 1
    left join customer_personas
        on recipients_with_build.customer_id = customer_personas.customer_id
),

rfm_segments as (
    select
        recipients_with_build.*,
        'rfm_segment' as segment_family,
        -- Customers without a valid order have no RFM scores.
        case
            when recipients_with_build.recorded_as_of is not null
                then coalesce(recorded_rfm_segments.segment_name, 'No valid order')
            else coalesce(customer_rfm.rfm_segment, 'No valid order')
        end as segment_name
    from recipients_with_build
    left join recorded_rfm_segments
        on recipients_with_build.recorded_as_of = recorded_rfm_segments.as_of
        and recipients_with_build.customer_id = recorded_rfm_segments.customer_id
    left join customer_rfm
        on recipients_with_build.customer_id = customer_rfm.customer_id
),

both_families as (
    select * from primary_personas
    union all
    select * from rfm_segments
)

select
    cast(message_id as {{ dbt.type_string() }}) as message_id,
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(segment_family as {{ dbt.type_string() }}) as segment_family,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(membership_as_of as {{ dbt.type_timestamp() }}) as membership_as_of,
    cast(membership_source as {{ dbt.type_string() }}) as membership_source,
    cast(sent_at as {{ dbt.type_timestamp() }}) as sent_at,
    is_delivered,
    is_bounced,
    is_hard_bounce,
    is_soft_bounce,
    cast(human_opens as {{ dbt.type_int() }}) as human_opens,
    cast(machine_opens as {{ dbt.type_int() }}) as machine_opens,
    cast(clicks as {{ dbt.type_int() }}) as clicks,
    has_human_open,
    has_click,
    has_unsubscribed,
    has_marked_as_spam,
    cast(attributed_orders as {{ dbt.type_int() }}) as attributed_orders,
    cast(attributed_revenue as {{ type_money() }}) as attributed_revenue
from both_families
