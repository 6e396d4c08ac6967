-- One row per customer, journey and trigger instance at as_of: the eight journey_* models in
-- one table, each instance at its current step with status due / waiting / exited / suppressed
-- and the reason. The table a sender reads: the `due` rows are the emails to send now.
with

{% set journeys = [
    'journey_welcome', 'journey_abandoned_cart', 'journey_browse_abandonment', 'journey_vip',
    'journey_winback', 'journey_replenishment', 'journey_birthday', 'journey_rfm_retention',
] -%}
{% for journey in journeys %}
{{ journey }} as (
    select * from {{ ref(journey) }}
),

{% endfor -%}
journey_rows as (
    {% for journey in journeys -%}
    select * from {{ journey }}
    {% if not loop.last -%}
    union all
    {% endif -%}
    {% endfor %}
)

select
    {{ journey_step_columns() }}
from journey_rows
