-- One row per build as_of, customer and segment: segment_memberships as every build recorded it
-- (incremental: a build replaces only the rows of its own as_of, so rebuilding an instant is
-- idempotent and builds at other instants are kept). History cannot be rebuilt from the current
-- data, so --full-refresh is off; src/store_segments/runtime/replay.py fills it for past instants.
{{
    config(
        on_schema_change='append_new_columns',
        full_refresh=false,
        **incremental_by_partition('as_of')
    )
}}
with

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
)

select
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of,
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(segment_family as {{ dbt.type_string() }}) as segment_family,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name
from segment_memberships
{{ records_only_forward() }}
