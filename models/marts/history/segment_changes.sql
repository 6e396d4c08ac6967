-- One row per customer, segment and stint of membership over every recorded build in
-- segment_history: when the customer entered the segment (the first build that saw it, with
-- the build before it, between which the change happened) and when they left (the first build
-- without it; null while they are still in). A membership already there at the first recorded
-- build has is_entry_observed = false: nothing saw it begin. Nor did anything at the first build
-- that recorded its family (a family added to segment_memberships later, like lifecycle_stage):
-- every member would otherwise seem to enter at once.
with

segment_history as (
    select * from {{ ref('segment_history') }}
),

builds as (
    select distinct as_of from segment_history
),

memberships as (
    select
        customer_id,
        segment_family,
        segment_name,
        as_of
    from segment_history
),

{{ membership_stints('builds', 'memberships', ['customer_id', 'segment_family', 'segment_name']) }}
,

family_first_builds as (
    select
        segment_family,
        min(as_of) as first_recorded_at
    from segment_history
    group by segment_family
),

observed_stints as (
    select
        membership_stints.*,
        case
            when membership_stints.entered_after >= family_first_builds.first_recorded_at
                then membership_stints.entered_after
        end as observed_entered_after
    from membership_stints
    inner join family_first_builds
        on membership_stints.segment_family = family_first_builds.segment_family
)

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(segment_family as {{ dbt.type_string() }}) as segment_family,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(entered_at as {{ dbt.type_timestamp() }}) as entered_at,
    cast(exited_at as {{ dbt.type_timestamp() }}) as exited_at,
    cast(observed_entered_after as {{ dbt.type_timestamp() }}) as entered_after,
    cast(last_member_at as {{ dbt.type_timestamp() }}) as last_member_at,
    cast(builds_in_stint as {{ dbt.type_int() }}) as builds_in_stint,
    observed_entered_after is not null as is_entry_observed,
    exited_at is null as is_current
from observed_stints
