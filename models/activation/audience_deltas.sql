-- One row per audience, channel and customer whose membership changed between the previous
-- recorded build and this one (docs/definitions.md §8): the set difference of audience_members
-- now and audience_history at the latest earlier as_of, eligibility included, so a customer who
-- unsubscribes is removed from the email list and one who gives tracking consent is added to ads.
-- Without an earlier build every member is added. Each row carries what the destination keys on:
-- the email address for email (from customer_contacts: the address to add or remove now), the
-- hash for ads (the hash the platform was given, for a removal).
with

audience_members as (
    select * from {{ ref('audience_members') }}
),

audience_history as (
    select * from {{ ref('audience_history') }}
),

customer_contacts as (
    select * from {{ ref('customer_contacts') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

previous_build as (
    select max(audience_history.as_of) as previous_as_of
    from audience_history
    cross join as_of_point
    where audience_history.as_of < as_of_point.as_of
),

builds as (
    select
        as_of_point.as_of,
        previous_build.previous_as_of
    from as_of_point
    cross join previous_build
),

previous_members as (
    select audience_history.*
    from audience_history
    inner join builds
        on audience_history.as_of = builds.previous_as_of
),

added as (
    select
        audience_members.audience_family,
        audience_members.audience_name,
        audience_members.channel,
        audience_members.customer_id,
        audience_members.hashed_email,
        'added' as change
    from audience_members
    left join previous_members
        on audience_members.audience_family = previous_members.audience_family
        and audience_members.audience_name = previous_members.audience_name
        and audience_members.channel = previous_members.channel
        and audience_members.customer_id = previous_members.customer_id
    where previous_members.customer_id is null
),

removed as (
    select
        previous_members.audience_family,
        previous_members.audience_name,
        previous_members.channel,
        previous_members.customer_id,
        previous_members.hashed_email,
        'removed' as change
    from previous_members
    left join audience_members
        on previous_members.audience_family = audience_members.audience_family
        and previous_members.audience_name = audience_members.audience_name
        and previous_members.channel = audience_members.channel
        and previous_members.customer_id = audience_members.customer_id
    where audience_members.customer_id is null
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
    cast(
        case when changes.channel = 'email' then customer_contacts.email end as {{ dbt.type_string() }}
    ) as email,
    cast(
        case when changes.channel = 'ads' then changes.hashed_email end as {{ dbt.type_string() }}
    ) as hashed_email,
    cast(builds.previous_as_of as {{ dbt.type_timestamp() }}) as previous_as_of,
    cast(builds.as_of as {{ dbt.type_timestamp() }}) as as_of
from changes
cross join builds
left join customer_contacts
    on changes.customer_id = customer_contacts.customer_id
