-- One row per segment (grain: segment_family + segment_name): email measures of every send to the
-- segment's members, by primary persona and by RFM segment. "At send time" is the membership at
-- as_of (see int_email_recipient_segments): there is no history of segments yet.
with

recipient_segments as (
    select * from {{ ref('int_email_recipient_segments') }}
),

segments as (
    select
        segment_family,
        segment_name,
        count(distinct customer_id) as customers,
        min(sent_at) as first_sent_at,
        max(sent_at) as last_sent_at,
        max(membership_as_of) as membership_as_of,
        {{ email_recipient_counts() }}
    from recipient_segments
    group by segment_family, segment_name
)

select
    cast(segment_family as {{ dbt.type_string() }}) as segment_family,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(customers as {{ dbt.type_int() }}) as customers,
    cast(first_sent_at as {{ dbt.type_timestamp() }}) as first_sent_at,
    cast(last_sent_at as {{ dbt.type_timestamp() }}) as last_sent_at,
    {{ email_measure_columns() }},
    cast(membership_as_of as {{ dbt.type_timestamp() }}) as membership_as_of
from segments
