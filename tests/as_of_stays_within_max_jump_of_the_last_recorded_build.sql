{#
    Stops the build when the default as_of moved more than var segments__as_of_max_jump_days away from
    the latest as_of an earlier build recorded in segment_history: a batch of rows dated far
    in the future (or history that vanished) would otherwise rebuild every segment at the wrong
    instant. The failing row's `reason` says what happened and what to do. An as_of set by the
    var is the user's choice and never fails. segment_history is looked up, not ref()'d, so the
    test runs right after int_as_of and a failure skips every model windowed on as_of.
#}
{{ config(severity='error') }}
{%- set history = none -%}
{%- if execute -%}
    {%- set node = graph.nodes.get('model.segments.segment_history') -%}
    {%- if node -%}
        {%- set history = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- endif -%}
{%- endif %}
with

as_of_point as (
    select as_of, as_of_source from {{ ref('int_as_of') }}
),

recorded as (
    {%- if history is none %}
    select cast(null as {{ dbt.type_timestamp() }}) as previous_as_of
    {%- else %}
    select max(history.as_of) as previous_as_of
    from {{ history }} as history
    where history.as_of <> (select as_of_point.as_of from as_of_point)
    {%- endif %}
),

jumps as (
    select
        as_of_point.as_of,
        as_of_point.as_of_source,
        recorded.previous_as_of,
        {{ dbt.datediff('recorded.previous_as_of', 'as_of_point.as_of', 'day') }} as days_moved
    from as_of_point
    cross join recorded
)

select
    as_of,
    previous_as_of,
    days_moved,
    {{ dbt.concat([
        "'as_of moved '", try_cast('days_moved', dbt.type_string()),
        "' days from the last recorded build (more than var segments__as_of_max_jump_days); check the rows "
        ~ "after as_of (int_as_of.rows_after_as_of, quarantined_rows) or set var segments__as_of'"
    ]) }} as reason
from jumps
where
    as_of_source = 'latest_event'
    and previous_as_of is not null
    and (
        days_moved > {{ var('segments__as_of_max_jump_days') }}
        or days_moved < -{{ var('segments__as_of_max_jump_days') }}
    )
