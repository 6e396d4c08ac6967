-- One row per customer and persona the customer meets (personas overlap on purpose), with the
-- numbers that put the customer there.
-- A table: at a million customers, computing it once beats inlining it into every
-- model and test that reads it.
{{ config(materialized='table') }}
with

persona_flags as (
    select * from {{ ref('int_customer_persona_flags') }}
),

memberships as (
    {% for persona_name, flag_column in persona_flag_columns() %}
    {%- if not loop.first %}
    union all
    {% endif %}
    select
        customer_id,
        {{ string_literal(persona_name) }} as persona_name
    from persona_flags
    where {{ flag_column }}
    {% endfor %}
),

catalog as (
    select * from {{ ref('persona_catalog') }}
)

select
    memberships.customer_id,
    memberships.persona_name,
    catalog.persona_family,
    catalog.precedence,
    case
        when catalog.persona_family = 'purchase' then {{ dbt.concat([
            "'valid_orders='", as_text('persona_flags.valid_orders'),
            "'; days_since_last_order='", as_text('persona_flags.days_since_last_order'),
            "'; aov='", as_text('persona_flags.aov'),
            "'; high_aov_threshold='", as_text('persona_flags.high_aov_threshold'),
        ]) }}
        else {{ dbt.concat([
            "'valid_orders='", as_text('persona_flags.valid_orders'),
            "'; days_since_last_order='", as_text('persona_flags.days_since_last_order'),
            "'; email_engagements_recent='", as_text('persona_flags.email_engagements_recent'),
            "'; email_engagements_before_recent='", as_text('persona_flags.email_engagements_before_recent'),
            "'; days_since_last_engagement='", as_text('persona_flags.days_since_last_engagement'),
            "'; days_since_created='", as_text('persona_flags.days_since_created'),
        ]) }}
    end as entered_because
from memberships
inner join persona_flags
    on memberships.customer_id = persona_flags.customer_id
left join catalog
    on memberships.persona_name = catalog.persona_name
