{#
    The per-customer-day measures of email and site activity. The incremental daily rollups
    store them per day; the customer rollups recompute them for the day of as_of from the events
    up to as_of, so that an as_of in the middle of a day counts only what happened before it.
    One definition, used by both.
    Counts are count(case when ... then 1 end), not sum(case when ... then 1 else 0 end): DuckDB
    sums integers into a 128-bit integer, which made the 50M-event aggregations ~30% slower.
#}

{# Email: from int_email_events_flagged / int_email_events_classified rows. #}
{% macro email_day_measures() -%}
    count(case when event_type = 'delivered' then 1 end) as emails_delivered,
    count(case when is_human_open then 1 end) as human_opens,
    count(case when is_machine_open then 1 end) as machine_opens,
    count(case when is_click then 1 end) as clicks,
    count(case when is_email_engagement then 1 end) as email_engagements,
    max(case when event_type = 'delivered' then occurred_at end) as last_email_delivered_at,
    max(case when is_email_engagement then occurred_at end) as last_email_engaged_at,
    count(case when event_type = 'bounced' and bounce_type = 'hard' then 1 end) as hard_bounces,
    count(case when event_type = 'unsubscribed' then 1 end) as unsubscribes,
    count(case when event_type = 'marked_as_spam' then 1 end) as spam_complaints
{%- endmacro %}

{# Site: from stg_web__events / int_site_events_counted rows (consent is applied per customer). #}
{% macro site_day_measures() -%}
    count(*) as site_events,
    count(case when event_type = 'product_view' then 1 end) as product_views,
    max(occurred_at) as last_site_event_at,
    max(case when event_type = 'product_view' then occurred_at end) as last_product_view_at,
    max(case when event_type = 'add_to_cart' then occurred_at end) as last_add_to_cart_at,
    max(case when event_type = 'checkout_started' then occurred_at end) as last_checkout_started_at,
    -- Window Shoppers look at products: a product view, an add to cart or a started checkout.
    max(
        case when event_type in ('product_view', 'add_to_cart', 'checkout_started') then occurred_at end
    ) as last_shopping_event_at
{%- endmacro %}

{#
    The column list of a customer-day row (customer_id, activity_date, then the measures above),
    for a union of rollup rows with rows computed in the model: a union matches columns by
    position, and `select *` of a rollup table is not in the model's order on Spark, which
    stores a partition column (activity_date) after the others.
#}
{% macro email_day_columns() -%}
    customer_id, activity_date, emails_delivered, human_opens, machine_opens, clicks, email_engagements,
    last_email_delivered_at, last_email_engaged_at, hard_bounces, unsubscribes, spam_complaints
{%- endmacro %}

{% macro site_day_columns() -%}
    customer_id, activity_date, site_events, product_views, last_site_event_at, last_product_view_at,
    last_add_to_cart_at, last_checkout_started_at, last_shopping_event_at
{%- endmacro %}

{#
    A customer's activity days at as_of, the one rule of the customer rollups
    (int_customer_email_activity, int_customer_site_activity): the days before as_of's UTC day from
    the daily rollup, and as_of's own day recomputed from its events up to as_of, so that an as_of
    in the middle of a day counts only what happened before it. Continues a `with` list.
    `rollup_cte` holds the daily rollup's rows and `events_cte` the events that count (both already
    filtered to what the model counts), `as_of_cte` the one as_of row; `day_measures` and
    `day_columns` are the kind's measures and column list (email_day_measures, email_day_columns).
    Emits the CTEs days_before_as_of, day_of_as_of, customer_days and customer_days_at_as_of (the
    day rows with as_of, for days_since).
#}
{% macro customer_days_at_as_of(rollup_cte, events_cte, as_of_cte, day_measures, day_columns) -%}
days_before_as_of as (
    select {{ rollup_cte }}.*
    from {{ rollup_cte }}
    cross join {{ as_of_cte }}
    where {{ rollup_cte }}.activity_date < cast({{ as_of_cte }}.as_of as date)
),

day_of_as_of as (
    select
        {{ events_cte }}.customer_id,
        cast({{ events_cte }}.occurred_at as date) as activity_date,
        {{ day_measures }}
    from {{ events_cte }}
    cross join {{ as_of_cte }}
    where cast({{ events_cte }}.occurred_at as date) = cast({{ as_of_cte }}.as_of as date)
    group by {{ events_cte }}.customer_id, cast({{ events_cte }}.occurred_at as date)
),

customer_days as (
    select {{ day_columns }} from days_before_as_of
    union all
    select {{ day_columns }} from day_of_as_of
),

customer_days_at_as_of as (
    select
        customer_days.*,
        {{ as_of_cte }}.as_of
    from customer_days
    cross join {{ as_of_cte }}
)
{%- endmacro %}
