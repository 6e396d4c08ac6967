-- One row per customer and journey (grain: customer_id + journey): every customer of
-- int_customer_facts for every journey of the journey_priorities seed, plus journey 'all' for the
-- global holdout. Who is held out of which journey (macros/holdouts.sql): the journey models keep
-- a held-out customer's instances with status holdout, and the lift of each journey compares the
-- two groups read from here, so there is one assignment.
-- A table: every journey model reads it, and each row hashes the customer twice.
{{ config(materialized='table') }}
with

customer_facts as (
    select * from {{ ref('int_customer_facts') }}
),

journey_priorities as (
    select * from {{ ref('journey_priorities') }}
),

journey_shares as (
    select
        journey,
        holdout_share
    from journey_priorities
    union all
    select
        'all' as journey,
        {{ var('segments__global_holdout_share') }} as holdout_share
),

customer_journeys as (
    select
        customer_facts.customer_id,
        journey_shares.journey,
        cast(journey_shares.holdout_share as {{ type_double() }}) as holdout_share
    from customer_facts
    cross join journey_shares
),

assignments as (
    select
        customer_id,
        journey,
        holdout_share,
        -- A double on every engine (Spark's division of the hash gives a decimal).
        cast({{ holdout_fraction('customer_id', 'journey') }} as {{ type_double() }}) as holdout_fraction,
        {{ is_in_global_holdout('customer_id') }} as is_in_global_holdout,
        {{ is_held_out('customer_id', 'journey', 'holdout_share') }} as is_held_out
    from customer_journeys
)

select
    customer_id,
    journey,
    holdout_fraction,
    holdout_share,
    is_held_out,
    is_in_global_holdout,
    case when is_held_out then 'holdout' else 'treated' end as holdout_group
from assignments
