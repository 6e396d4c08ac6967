-- One row per message recipient and segment family (grain: message_id + customer_id +
-- segment_family): the recipient's primary persona and RFM segment "at send time". There is no
-- history of segments yet, so send time means the membership at as_of, for every send: exact for
-- sends close to as_of, an approximation for older ones (a customer who bought after an email
-- shows in the segment they are in now). Swap this model for a snapshot join once history exists.
-- A table, not a view: two marts read it, each of which would otherwise rebuild the recipients.
{{ config(materialized='table') }}

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

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

primary_personas as (
    select
        recipients.*,
        'primary_persona' as segment_family,
        -- A recipient missing from customer_personas was created after as_of.
        coalesce(customer_personas.primary_persona, 'Not a customer at as_of') as segment_name
    from recipients
    left join customer_personas
        on recipients.customer_id = customer_personas.customer_id
),

rfm_segments as (
    select
        recipients.*,
        'rfm_segment' as segment_family,
        -- Customers without a valid order have no RFM scores.
        coalesce(customer_rfm.rfm_segment, 'No valid order') as segment_name
    from recipients
    left join customer_rfm
        on recipients.customer_id = customer_rfm.customer_id
),

both_families as (
    select * from primary_personas
    union all
    select * from rfm_segments
)

select
    both_families.message_id,
    both_families.customer_id,
    both_families.segment_family,
    both_families.segment_name,
    both_families.message_type,
    both_families.campaign_or_flow_name,
    both_families.flow_step,
    both_families.ab_test_id,
    both_families.variant,
    both_families.sent_at,
    both_families.is_delivered,
    both_families.is_bounced,
    both_families.is_hard_bounce,
    both_families.is_soft_bounce,
    both_families.human_opens,
    both_families.machine_opens,
    both_families.clicks,
    both_families.has_human_open,
    both_families.has_click,
    both_families.has_unsubscribed,
    both_families.has_marked_as_spam,
    both_families.attributed_orders,
    both_families.attributed_revenue,
    as_of_point.as_of as membership_as_of
from both_families
cross join as_of_point
