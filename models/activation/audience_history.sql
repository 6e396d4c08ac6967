-- One row per build as_of, audience, channel and customer: audience_members as each build saw it,
-- so the next build's audience_deltas is the set difference of two builds' members (eligibility
-- included). Ids only, and the hashed email of ads rows: an ad platform removes a member by the
-- hash it was given, which a later change of address would lose. Incremental by as_of like
-- segment_history: a build replaces its own instant and keeps the others; --full-refresh is off
-- because the history cannot be rebuilt from current data.
{{ config(**history_config()) }}
with

audience_members as (
    select * from {{ ref('audience_members') }}
)

{{ history_point('audience_members', ['audience_family', 'audience_name', 'channel', 'customer_id', 'hashed_email']) }}
