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
