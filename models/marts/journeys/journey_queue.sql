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
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(journey as {{ dbt.type_string() }}) as journey,
    cast(step as {{ dbt.type_int() }}) as step,
    cast(trigger_at as {{ dbt.type_timestamp() }}) as trigger_at,
    cast(due_at as {{ dbt.type_timestamp() }}) as due_at,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(reason as {{ dbt.type_string() }}) as reason,
    cast(trigger_key as {{ dbt.type_string() }}) as trigger_key,
    cast(branch as {{ dbt.type_string() }}) as branch,
    cast(due_until as {{ dbt.type_timestamp() }}) as due_until,
    cast(exited_at as {{ dbt.type_timestamp() }}) as exited_at,
    cast(last_email_delivered_at as {{ dbt.type_timestamp() }}) as last_email_delivered_at,
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from journey_rows
