-- One row per build as_of, audience, channel and customer: audience_members as each build saw it,
-- so the next build's audience_deltas is the set difference of two builds' members (eligibility
-- included). Ids only, and the hashed email of ads rows: an ad platform removes a member by the
-- hash it was given, which a later change of address would lose. Incremental by as_of like
-- segment_history: a build replaces its own instant and keeps the others; --full-refresh is off
-- because the history cannot be rebuilt from current data.
{{
    config(
        on_schema_change='append_new_columns',
        full_refresh=false,
        **incremental_by_partition('as_of')
    )
}}
with

audience_members as (
    select * from {{ ref('audience_members') }}
)

select
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of,
    cast(audience_family as {{ dbt.type_string() }}) as audience_family,
    cast(audience_name as {{ dbt.type_string() }}) as audience_name,
    cast(channel as {{ dbt.type_string() }}) as channel,
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(hashed_email as {{ dbt.type_string() }}) as hashed_email
from audience_members
{{ records_only_forward() }}
