-- One row per customer, segment and stint of membership over every recorded build in
-- segment_history: when the customer entered the segment (the first build that saw it, with
-- the build before it, between which the change happened) and when they left (the first build
-- without it; null while they are still in). A membership already there at the first recorded
-- build has is_entry_observed = false: nothing saw it begin.
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

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(segment_family as {{ dbt.type_string() }}) as segment_family,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(entered_at as {{ dbt.type_timestamp() }}) as entered_at,
    cast(exited_at as {{ dbt.type_timestamp() }}) as exited_at,
    cast(entered_after as {{ dbt.type_timestamp() }}) as entered_after,
    cast(last_member_at as {{ dbt.type_timestamp() }}) as last_member_at,
    cast(builds_in_stint as {{ dbt.type_int() }}) as builds_in_stint,
    is_entry_observed,
    exited_at is null as is_current
from membership_stints
