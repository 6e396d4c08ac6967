-- One row per customer to sunset from email at as_of (docs/definitions.md §8): primary persona Dead
-- Weight, i.e. no valid order within purchase_lapsed_max_days and no engagement within
-- engaged_recent_days on an established profile. Mailing them only hurts deliverability, so they
-- leave every email audience (audience_members). sunset_since is the first recorded build of the
-- customer's current unbroken Dead Weight stint (segment_changes), as_of when no build recorded
-- it. sunset_enabled = false empties the list.
with

customer_personas as (
    select
        customer_id,
        primary_persona
    from {{ ref('customer_personas') }}
),

segment_changes as (
    select
        customer_id,
        entered_at,
        exited_at
    from {{ ref('segment_changes') }}
    where
        segment_family = 'engagement_persona'
        and segment_name = {{ string_literal('Dead Weight') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

dead_weight as (
    select
        customer_personas.customer_id,
        as_of_point.as_of
    from customer_personas
    cross join as_of_point
    where
        customer_personas.primary_persona = {{ string_literal('Dead Weight') }}
        and {{ 'true' if var('segments__sunset_enabled') else 'false' }}
),

-- The stint that holds as_of; a history replayed past as_of does not count.
current_stints as (
    select
        segment_changes.customer_id,
        segment_changes.entered_at
    from segment_changes
    cross join as_of_point
    where
        segment_changes.entered_at <= as_of_point.as_of
        and (segment_changes.exited_at is null or segment_changes.exited_at > as_of_point.as_of)
)

select
    cast(dead_weight.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast('dead_weight' as {{ dbt.type_string() }}) as sunset_reason,
    cast(coalesce(current_stints.entered_at, dead_weight.as_of) as {{ dbt.type_timestamp() }}) as sunset_since,
    cast(dead_weight.as_of as {{ dbt.type_timestamp() }}) as as_of
from dead_weight
left join current_stints
    on dead_weight.customer_id = current_stints.customer_id
