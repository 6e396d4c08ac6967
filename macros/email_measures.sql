{#
    The measures every email report shares (message, campaign, flow step, segment, send time),
    so that a rate means the same thing in every table. Counts are per recipient of a message
    (int_email_recipients), so they add up across messages. Machine opens are never an open.
#}

{# numerator / denominator as a double; NULL when the denominator is 0 or NULL. #}
{% macro safe_ratio(numerator, denominator) -%}
    case
        when ({{ denominator }}) > 0
            then cast(({{ numerator }}) as {{ type_double() }}) / ({{ denominator }})
    end
{%- endmacro %}

{# The additive count columns, in the order the marts list them. #}
{% macro email_count_columns() %}
    {{ return([
        'recipients', 'delivered', 'bounces', 'hard_bounces', 'soft_bounces',
        'unique_human_opens', 'human_opens', 'machine_opens', 'unique_clicks', 'clicks',
        'unsubscribes', 'spam_complaints', 'attributed_orders', 'attributed_purchasers',
        'attributed_revenue',
    ]) }}
{% endmacro %}

{# Counts over rows of int_email_recipients (one row per message and recipient). #}
{% macro email_recipient_counts() -%}
    count(*) as recipients,
    count(case when is_delivered then 1 end) as delivered,
    count(case when is_bounced then 1 end) as bounces,
    count(case when is_hard_bounce then 1 end) as hard_bounces,
    count(case when is_soft_bounce then 1 end) as soft_bounces,
    count(case when has_human_open then 1 end) as unique_human_opens,
    sum(human_opens) as human_opens,
    sum(machine_opens) as machine_opens,
    count(case when has_click then 1 end) as unique_clicks,
    sum(clicks) as clicks,
    count(case when has_unsubscribed then 1 end) as unsubscribes,
    count(case when has_marked_as_spam then 1 end) as spam_complaints,
    sum(attributed_orders) as attributed_orders,
    count(case when attributed_orders > 0 then 1 end) as attributed_purchasers,
    sum(attributed_revenue) as attributed_revenue
{%- endmacro %}

{# The same counts summed over rows that already carry them (e.g. email_message_performance). #}
{% macro email_summed_counts() -%}
    {%- for column in email_count_columns() %}
    sum({{ column }}) as {{ column }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#
    The typed count and rate columns of a final select, read from a relation with the count
    columns. Rates are over delivered, except bounce_rate (over recipients: a bounced message
    was not delivered) and click_to_open_rate (over unique human opens).
#}
{% macro email_measure_columns() -%}
    {%- for column in email_count_columns() %}
    {%- if column == 'attributed_revenue' %}
    cast(coalesce({{ column }}, 0) as {{ type_money() }}) as {{ column }},
    {{ reporting_currency_column() }},
    {%- else %}
    cast(coalesce({{ column }}, 0) as {{ dbt.type_int() }}) as {{ column }},
    {%- endif %}
    {%- endfor %}
    cast({{ safe_ratio('bounces', 'recipients') }} as {{ type_double() }}) as bounce_rate,
    cast({{ safe_ratio('unique_human_opens', 'delivered') }} as {{ type_double() }}) as open_rate,
    cast({{ safe_ratio('unique_clicks', 'delivered') }} as {{ type_double() }}) as click_rate,
    cast({{ safe_ratio('unique_clicks', 'unique_human_opens') }} as {{ type_double() }}) as click_to_open_rate,
    cast({{ safe_ratio('unsubscribes', 'delivered') }} as {{ type_double() }}) as unsubscribe_rate,
    cast({{ safe_ratio('spam_complaints', 'delivered') }} as {{ type_double() }}) as spam_complaint_rate,
    cast({{ safe_ratio('attributed_purchasers', 'delivered') }} as {{ type_double() }}) as placed_order_rate
{%- endmacro %}
