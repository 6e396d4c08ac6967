{#
    The lifecycle VIP rule (stage loyalty), the one definition customer_lifecycle (and through
    it journey_vip) and program_kpis' VIP repurchase rate use: at a reference instant, a
    customer is VIP by frequency with vip_min_orders or more valid orders within
    vip_window_days before it, and VIP by order value with one valid order of
    vip_min_order_value or more (within vip_single_order_window_days before it; null = any
    time). The instant is whatever the caller counts days from: as_of for customer_lifecycle,
    each period start for program_kpis.

    `orders` names a relation or CTE with one row per valid order placed at or before the
    instant (per reference key): customer_id, the order's age in calendar days at the instant
    (`days_before_column`: days_since(ordered_at, instant), docs/definitions.md §1) and its value
    (`order_value_column`). `key_columns` (e.g. ['period']) tell several instants apart.
    Returns one row per key and customer with such an order: orders_in_vip_window,
    largest_qualifying_order_value (null when no order qualifies), is_vip_by_frequency,
    is_vip_by_order_value and is_vip (never null).
#}
{% macro vip_status(orders, days_before_column, order_value_column, key_columns=[]) -%}
    select
        {%- for key_column in key_columns %}
        {{ key_column }},
        {%- endfor %}
        customer_id,
        {{ _vip_orders_in_window(days_before_column) }} as orders_in_vip_window,
        {{ _vip_largest_qualifying_order(days_before_column, order_value_column) }}
            as largest_qualifying_order_value,
        {{ _vip_orders_in_window(days_before_column) }} >= {{ var('segments__vip_min_orders') }}
            as is_vip_by_frequency,
        coalesce(
            {{ _vip_largest_qualifying_order(days_before_column, order_value_column) }}
            >= {{ var('segments__vip_min_order_value') }},
            false
        ) as is_vip_by_order_value,
        {{ _vip_orders_in_window(days_before_column) }} >= {{ var('segments__vip_min_orders') }}
        or coalesce(
            {{ _vip_largest_qualifying_order(days_before_column, order_value_column) }}
            >= {{ var('segments__vip_min_order_value') }},
            false
        ) as is_vip
    from {{ orders }}
    group by
        {%- for key_column in key_columns %}
        {{ key_column }},
        {%- endfor %}
        customer_id
{%- endmacro %}

{# Valid orders within vip_window_days of the instant (the frequency half of vip_status). #}
{% macro _vip_orders_in_window(days_before_column) -%}
    sum(case when {{ days_before_column }} <= {{ var('segments__vip_window_days') }} then 1 else 0 end)
{%- endmacro %}

{# The largest order the order-value half of vip_status may use. #}
{% macro _vip_largest_qualifying_order(days_before_column, order_value_column) -%}
    {%- if var('segments__vip_single_order_window_days') is none -%}
    max({{ order_value_column }})
    {%- else -%}
    max(
        case
            when {{ days_before_column }} <= {{ var('segments__vip_single_order_window_days') }}
                then {{ order_value_column }}
        end
    )
    {%- endif %}
{%- endmacro %}
