-- One row per build as_of, customer and segment: segment_memberships as every build recorded it
-- (incremental: a build replaces only the rows of its own as_of, so rebuilding an instant is
-- idempotent and builds at other instants are kept). History cannot be rebuilt from the current
-- data, so --full-refresh is off; `segments replay` fills it for past instants.
{{ config(**history_config()) }}
with

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
)

{{ history_point('segment_memberships', ['customer_id', 'segment_family', 'segment_name']) }}
