-- One row per segment and per campaign (grain: scope_type + segment_family + scope_name): open,
-- unsubscribe and spam complaint rates against the floors of the win-back guidance (vars
-- winback_min_open_rate, winback_max_unsubscribe_rate, winback_max_spam_complaint_rate), with a
-- status per floor. Segment rows count the sends of the last deliverability_lookback_days (health
-- is about now, and membership at as_of is closest to membership at send time there); campaign
-- rows count every send of the campaign. Floors are compared on counts, so a rate exactly at a
-- floor is judged exactly.
with

member_sends as (
    select * from {{ ref('email_segment_member_sends') }}
),

campaign_performance as (
    select * from {{ ref('campaign_performance') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

-- The lookback (sent after as_of - deliverability_lookback_days) is applied per send in
-- email_segment_member_sends.
segment_scopes as (
    select
        'segment' as scope_type,
        segment_family,
        segment_name as scope_name,
        min(first_sent_at) as first_sent_at,
        max(last_sent_at) as last_sent_at,
        sum(delivered) as delivered,
        sum(unique_human_opens) as unique_human_opens,
        sum(unsubscribes) as unsubscribes,
        sum(spam_complaints) as spam_complaints
    from member_sends
    where is_within_deliverability_lookback
    group by segment_family, segment_name
),

campaign_scopes as (
    select
        'campaign' as scope_type,
        null as segment_family,
        campaign_name as scope_name,
        first_sent_at,
        last_sent_at,
        delivered,
        unique_human_opens,
        unsubscribes,
        spam_complaints
    from campaign_performance
),

scopes as (
    select * from segment_scopes
    union all
    select * from campaign_scopes
),

judged as (
    select
        scopes.*,
        as_of_point.as_of,
        scopes.delivered >= {{ var('segments__deliverability_min_delivered') }} as is_judged,
        scopes.unique_human_opens
        >= {{ var('segments__winback_min_open_rate') }} * scopes.delivered as meets_open_rate,
        scopes.unsubscribes
        < {{ var('segments__winback_max_unsubscribe_rate') }} * scopes.delivered as meets_unsubscribe_rate,
        scopes.spam_complaints < {{ var('segments__winback_max_spam_complaint_rate') }} * scopes.delivered
            as meets_spam_complaint_rate
    from scopes
    cross join as_of_point
),

with_status as (
    select
        *,
        case
            when not is_judged then 'insufficient_data'
            when meets_open_rate then 'ok'
            else 'breach'
        end as open_rate_status,
        case
            when not is_judged then 'insufficient_data'
            when meets_unsubscribe_rate then 'ok'
            else 'breach'
        end as unsubscribe_rate_status,
        case
            when not is_judged then 'insufficient_data'
            when meets_spam_complaint_rate then 'ok'
            else 'breach'
        end as spam_complaint_rate_status,
        case when is_judged and not meets_open_rate then 1 else 0 end
        + case when is_judged and not meets_unsubscribe_rate then 1 else 0 end
        + case when is_judged and not meets_spam_complaint_rate then 1 else 0 end as floors_broken
    from judged
)

select
    cast(scope_type as {{ dbt.type_string() }}) as scope_type,
    cast(segment_family as {{ dbt.type_string() }}) as segment_family,
    cast(scope_name as {{ dbt.type_string() }}) as scope_name,
    cast(first_sent_at as {{ dbt.type_timestamp() }}) as first_sent_at,
    cast(last_sent_at as {{ dbt.type_timestamp() }}) as last_sent_at,
    cast(delivered as {{ dbt.type_int() }}) as delivered,
    cast(unique_human_opens as {{ dbt.type_int() }}) as unique_human_opens,
    cast(unsubscribes as {{ dbt.type_int() }}) as unsubscribes,
    cast(spam_complaints as {{ dbt.type_int() }}) as spam_complaints,
    cast({{ safe_ratio('unique_human_opens', 'delivered') }} as {{ type_double() }}) as open_rate,
    cast({{ safe_ratio('unsubscribes', 'delivered') }} as {{ type_double() }}) as unsubscribe_rate,
    cast({{ safe_ratio('spam_complaints', 'delivered') }} as {{ type_double() }}) as spam_complaint_rate,
    cast({{ var('segments__winback_min_open_rate') }} as {{ type_double() }}) as min_open_rate,
    cast({{ var('segments__winback_max_unsubscribe_rate') }} as {{ type_double() }}) as max_unsubscribe_rate,
    cast({{ var('segments__winback_max_spam_complaint_rate') }} as {{ type_double() }}) as max_spam_complaint_rate,
    cast(open_rate_status as {{ dbt.type_string() }}) as open_rate_status,
    cast(unsubscribe_rate_status as {{ dbt.type_string() }}) as unsubscribe_rate_status,
    cast(spam_complaint_rate_status as {{ dbt.type_string() }}) as spam_complaint_rate_status,
    cast(floors_broken as {{ dbt.type_int() }}) as floors_broken,
    cast(
        case
            when not is_judged then 'insufficient_data'
            when floors_broken > 0 then 'breach'
            else 'ok'
        end as {{ dbt.type_string() }}
    ) as health_status,
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from with_status
