-- One row per segment (grain: segment_family + segment_name): email measures of every send to the
-- segment's members at send time, by primary persona and by RFM segment. Membership at send time
-- comes from segment_history where a recent build is recorded, else from as_of (see
-- email_recipient_segments); the sends come summed per segment and member.
with

member_sends as (
    select * from {{ ref('email_segment_member_sends') }}
),

segments as (
    select
        segment_family,
        segment_name,
        -- A member has a row per send period, so count each once.
        count(distinct customer_id) as customers,
        min(first_sent_at) as first_sent_at,
        max(last_sent_at) as last_sent_at,
        max(membership_as_of) as membership_as_of,
        sum(sends_with_recorded_membership) as sends_with_recorded_membership,
        {{ email_summed_counts() }}
    from member_sends
    group by segment_family, segment_name
)

select
    cast(segment_family as {{ dbt.type_string() }}) as segment_family,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(customers as {{ dbt.type_int() }}) as customers,
    cast(first_sent_at as {{ dbt.type_timestamp() }}) as first_sent_at,
    cast(last_sent_at as {{ dbt.type_timestamp() }}) as last_sent_at,
    {{ email_measure_columns() }},
    cast(sends_with_recorded_membership as {{ dbt.type_int() }}) as sends_with_recorded_membership,
    cast(membership_as_of as {{ dbt.type_timestamp() }}) as membership_as_of
from segments
