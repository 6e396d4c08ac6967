{#
    The one definition of an abandoned cart, which journey_abandoned_cart triggers on and
    program_kpis' abandoned-cart recovery rate counts: a site session of a known customer with
    an add to cart or a started checkout and no order in it (behaviour_class abandoned_cart of
    site_sessions, counted events only), abandoned at its last cart event.
    `site_sessions` names a relation or CTE of site_sessions rows. Returns one row per
    abandoned cart: customer_id, session_id, abandoned_at.
#}
{% macro abandoned_carts(site_sessions) -%}
    select
        customer_id,
        session_id,
        last_cart_event_at as abandoned_at
    from {{ site_sessions }}
    where behaviour_class = 'abandoned_cart'
{%- endmacro %}

{#
    The one definition of an abandoned browse, which journey_browse_abandonment triggers on and
    journey_entries counts: a site session of a known customer with product views and no add
    to cart or order in it (behaviour_class browsed), abandoned at its last product view.
    Returns one row per abandoned browse: customer_id, session_id, abandoned_at.
#}
{% macro abandoned_browses(site_sessions) -%}
    select
        customer_id,
        session_id,
        last_product_view_at as abandoned_at
    from {{ site_sessions }}
    where behaviour_class = 'browsed' and product_views > 0
{%- endmacro %}

{#
    The steps of an abandonment journey (journey_abandoned_cart, journey_browse_abandonment), each
    with the exit that ends it: the first exit event of the customer at or after the abandonment,
    of any kind in `exits`; at one instant the kind listed first wins. Continues a `with` list.
    `abandonments_cte` holds abandoned_carts or abandoned_browses rows, `step_offsets_cte` the
    journey_step_offsets rows (hours). `exits` lists the exit kinds, each a dict: `events` (a CTE
    with customer_id), `at` (its timestamp column), `reason` (the exit_reason it gives). Emits the
    CTEs abandonment_triggers, abandonment_exit_events, ranked_exits and journey_steps (the
    steps_cte of journey_rows).
#}
{% macro abandonment_journey_steps(abandonments_cte, step_offsets_cte, exits) -%}
abandonment_triggers as (
    select
        customer_id,
        session_id as trigger_key,
        abandoned_at as trigger_at
    from {{ abandonments_cte }}
),

abandonment_exit_events as (
    {%- for exit in exits %}
    select
        customer_id,
        {{ exit.at }} as exited_at,
        {{ string_literal(exit.reason) }} as exit_reason,
        {{ loop.index }} as exit_precedence
    from {{ exit.events }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

ranked_exits as (
    select
        abandonment_triggers.customer_id,
        abandonment_triggers.trigger_key,
        abandonment_exit_events.exited_at,
        abandonment_exit_events.exit_reason,
        row_number() over (
            partition by abandonment_triggers.customer_id, abandonment_triggers.trigger_key
            order by abandonment_exit_events.exited_at, abandonment_exit_events.exit_precedence
        ) as exit_order
    from abandonment_triggers
    inner join abandonment_exit_events
        on abandonment_triggers.customer_id = abandonment_exit_events.customer_id
        and abandonment_triggers.trigger_at <= abandonment_exit_events.exited_at
),

journey_steps as (
    select
        abandonment_triggers.customer_id,
        abandonment_triggers.trigger_key,
        abandonment_triggers.trigger_at,
        cast(null as {{ dbt.type_string() }}) as branch,
        {{ step_offsets_cte }}.step,
        {{ dbt.dateadd('hour', step_offsets_cte ~ '.step_offset', 'abandonment_triggers.trigger_at') }} as due_at,
        ranked_exits.exited_at,
        ranked_exits.exit_reason
    from abandonment_triggers
    cross join {{ step_offsets_cte }}
    left join ranked_exits
        on abandonment_triggers.customer_id = ranked_exits.customer_id
        and abandonment_triggers.trigger_key = ranked_exits.trigger_key
        and ranked_exits.exit_order = 1
)
{%- endmacro %}
