-- One row per customer of int_customer_facts: one column per distinct (event, measure, filters,
-- window) that the custom segments (var segments__custom_segments, docs/custom_segments.md) count, so
-- segments asking the same thing share one aggregate and each event source is scanned once.
-- Only rows at or before as_of count; a customer with none has 0 in every column.
-- A table: as a view, each of its three data tests scanned every event source again (51 s of
-- the 124 s of data tests at M; DECISIONS.md, "Custom segments are proven ...").
{{ config(materialized='table') }}
{%- set segments = custom_segment_definitions() %}
{%- set aggregates = custom_segment_aggregates(segments) %}
{%- set used = [] %}
{%- set outputs = [] %}
{%- for source in ['order', 'order_line', 'site', 'email'] if aggregates[source] %}
{%- do used.append(source) %}
{%- endfor %}
{%- set select_lists = {} %}
{%- set joins = [] %}
{%- for source in used %}
{%- set pairs = [] %}
{%- set cte = source ~ '_activity' %}
{%- do joins.append('\n    left join ' ~ cte ~ ' on customers.customer_id = ' ~ cte ~ '.customer_id') %}
{%- for aggregate in aggregates[source] %}
{%- do pairs.append(',\n        ' ~ aggregate.sql ~ ' as ' ~ aggregate.column) %}
{%- do outputs.append(',\n        coalesce(' ~ cte ~ '.' ~ aggregate.column ~ ', 0) as ' ~ aggregate.column) %}
{%- endfor %}
{%- do select_lists.update({source: pairs | join('')}) %}
{%- endfor %}
-- The sources are read only when a definition counts them; dbt must know them all the same.
-- depends_on: {{ ref('int_orders') }}, {{ ref('int_order_products') }}
-- depends_on: {{ ref('int_site_events_counted') }}, {{ ref('int_email_events_classified') }}
-- depends_on: {{ ref('stg_email__messages') }}, {{ ref('stg_shop__products') }}
with

customers as (
    select customer_id from {{ ref('int_customer_facts') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),
{%- if 'order' in used %}

orders as (
    select * from {{ ref('int_orders') }}
),
{%- endif %}
{%- if 'order_line' in used %}

order_products as (
    select * from {{ ref('int_order_products') }}
),
{%- endif %}
{%- if 'site' in used %}

site_events as (
    select * from {{ ref('int_site_events_counted') }}
),
{%- endif %}
{%- if 'email' in used %}

email_events as (
    select * from {{ ref('int_email_events_classified') }}
),

messages as (
    select * from {{ ref('stg_email__messages') }}
),
{%- endif %}
{%- if 'order_line' in used or 'site' in used %}

products as (
    select * from {{ ref('stg_shop__products') }}
),
{%- endif %}
{%- if 'order' in used %}

order_rows as (
    select
        orders.customer_id,
        orders.ordered_at as occurred_at,
        orders.days_since_order as days_since,
        orders.net_revenue
    from orders
    cross join as_of_point
    where orders.is_valid_order and orders.ordered_at <= as_of_point.as_of
),
{%- endif %}
{%- if 'order_line' in used %}

order_line_rows as (
    select
        order_products.customer_id,
        order_products.order_id,
        order_products.product_id,
        products.category,
        order_products.ordered_at as occurred_at,
        order_products.days_since_order as days_since,
        order_products.units,
        order_products.net_revenue
    from order_products
    cross join as_of_point
    left join products on order_products.product_id = products.product_id
    where order_products.ordered_at <= as_of_point.as_of
),
{%- endif %}
{%- if 'site' in used %}

site_rows as (
    select
        site_events.customer_id,
        site_events.event_type,
        site_events.product_id,
        products.category,
        site_events.occurred_at,
        site_events.days_since_event as days_since
    from site_events
    cross join as_of_point
    left join products on site_events.product_id = products.product_id
    -- Tracking consent applies to custom segments as to every other site fact.
    where site_events.is_counted and site_events.occurred_at <= as_of_point.as_of
),
{%- endif %}
{%- if 'email' in used %}

email_rows as (
    select
        email_events.customer_id,
        email_events.event_type,
        email_events.is_human_open,
        email_events.is_click,
        messages.message_type,
        messages.campaign_or_flow_name,
        email_events.occurred_at,
        email_events.days_since_event as days_since
    from email_events
    cross join as_of_point
    left join messages on email_events.message_id = messages.message_id
    where email_events.occurred_at <= as_of_point.as_of
),
{%- endif %}
{%- if 'order' in used %}

order_activity as (
    select
        customer_id{{ select_lists['order'] }}
    from order_rows
    group by customer_id
),
{%- endif %}
{%- if 'order_line' in used %}

order_line_activity as (
    select
        customer_id{{ select_lists['order_line'] }}
    from order_line_rows
    group by customer_id
),
{%- endif %}
{%- if 'site' in used %}

site_activity as (
    select
        customer_id{{ select_lists['site'] }}
    from site_rows
    group by customer_id
),
{%- endif %}
{%- if 'email' in used %}

email_activity as (
    select
        customer_id{{ select_lists['email'] }}
    from email_rows
    group by customer_id
),
{%- endif %}

activity as (
    select
        customers.customer_id{{ outputs | join('') }}
    from customers{{ joins | join('') }}
)

select * from activity
