-- One row per audience, channel and customer whose membership changed between the previous
-- recorded build and this one (docs/definitions.md §8): `added` = in the audience now and eligible
-- for the channel (audience_members), not in it at the previous build; `removed` = in it at the
-- previous build, not now, on every channel (removing someone a destination never had is a no-op,
-- and leaving someone in is not). Only the families segment_history records (segment_memberships'
-- personas, RFM segments and groups); lifecycle, cadence, prediction and win-back audiences have
-- no history, so a destination syncs those from audience_members in full. Eligibility is not
-- recorded per build either: a change of consent, suppression or sunset alone is no delta here.
-- Without a previous build, every eligible member is added.
with

segment_history as (
    select * from {{ ref('segment_history') }}
),

audience_members as (
    select * from {{ ref('audience_members') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

previous_build as (
    select max(segment_history.as_of) as previous_as_of
    from segment_history
    cross join as_of_point
    where segment_history.as_of < as_of_point.as_of
),

builds as (
    select
        as_of_point.as_of,
        previous_build.previous_as_of
    from as_of_point
    cross join previous_build
),

current_members as (
    select
        segment_history.segment_family,
        segment_history.segment_name,
        segment_history.customer_id
    from segment_history
    inner join builds
        on segment_history.as_of = builds.as_of
),

previous_members as (
    select
        segment_history.segment_family,
        segment_history.segment_name,
        segment_history.customer_id
    from segment_history
    inner join builds
        on segment_history.as_of = builds.previous_as_of
),

recorded_families as (
    select distinct segment_family
    from current_members
),

channels as (
    select 'email' as channel
    union all
    select 'ads' as channel
),

added as (
    select
        audience_members.audience_family,
        audience_members.audience_name,
        audience_members.channel,
        audience_members.customer_id,
        'added' as change
    from audience_members
    inner join recorded_families
        on audience_members.audience_family = recorded_families.segment_family
    left join previous_members
        on audience_members.audience_family = previous_members.segment_family
        and audience_members.audience_name = previous_members.segment_name
        and audience_members.customer_id = previous_members.customer_id
    where previous_members.customer_id is null
),

removed as (
    select
        previous_members.segment_family as audience_family,
        previous_members.segment_name as audience_name,
        channels.channel,
        previous_members.customer_id,
        'removed' as change
    from previous_members
    cross join channels
    left join current_members
        on previous_members.segment_family = current_members.segment_family
        and previous_members.segment_name = current_members.segment_name
        and previous_members.customer_id = current_members.customer_id
    where current_members.customer_id is null
),

changes as (
    select * from added
    union all
    select * from removed
)

select
    cast(changes.audience_family as {{ dbt.type_string() }}) as audience_family,
    cast(changes.audience_name as {{ dbt.type_string() }}) as audience_name,
    cast(changes.channel as {{ dbt.type_string() }}) as channel,
    cast(changes.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(changes.change as {{ dbt.type_string() }}) as change,
    cast(builds.previous_as_of as {{ dbt.type_timestamp() }}) as previous_as_of,
    cast(builds.as_of as {{ dbt.type_timestamp() }}) as as_of
from changes
cross join builds
