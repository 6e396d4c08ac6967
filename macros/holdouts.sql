{#
    Holdout assignment for the journeys: who is kept out of a journey's emails so that its lift
    can be measured against them. Deterministic: a customer's place is a hash of the salt
    (var segments__holdout_salt), the journey and the customer id (hash_fraction), so it is stable across
    builds and engines for as long as the salt is unchanged, and it is independent between
    journeys. The demo generator computes the same number (src/store_segments/generators/demo_data/holdouts.py).
#}

{#
    The customer's place in [0, 1) for one journey ('all' for the global holdout). salt: var
    holdout_salt unless given (a test pins its own, so a store's salt cannot change its result).
#}
{% macro holdout_fraction(customer_id, journey, salt=none) -%}
    {%- set salt = var('segments__holdout_salt') if salt is none else salt -%}
    {{ hash_fraction(dbt.concat([string_literal(salt), "':'", journey, "':'", customer_id])) }}
{%- endmacro %}

{#
    True when the customer is held out of every journey: their place for journey 'all' is below
    var segments__global_holdout_share (0 turns the global holdout off).
#}
{% macro is_in_global_holdout(customer_id) -%}
    ({{ holdout_fraction(customer_id, "'all'") }} < {{ var('segments__global_holdout_share') }})
{%- endmacro %}

{#
    True when the customer gets none of this journey's emails: held out globally, or their place
    for the journey is below the journey's holdout share (a column of the journey_priorities
    seed; 0 turns the journey's holdout off). The global holdout wins over journey treatment.
#}
{% macro is_held_out(customer_id, journey, holdout_share) -%}
    ({{ is_in_global_holdout(customer_id) }}
        or {{ holdout_fraction(customer_id, journey) }} < {{ holdout_share }})
{%- endmacro %}
