{#
    The lifecycle stage rule as named conditions: the stages in precedence order, each with the
    conditions (boolean columns of customer_lifecycle; `not x` = x must be false) any one of
    which puts a customer in it; the first stage that holds wins and the last, with none, takes
    the rest. customer_lifecycle builds lifecycle_stage from this list (lifecycle_stage_sql), and
    segment_rule_inputs and segment_change_reasons read it, so the rule is written once.
#}
{% macro lifecycle_stage_rules() %}
    {{ return([
        ('acquisition', ['not has_valid_order']),
        ('loyalty', ['is_vip_by_frequency', 'is_vip_by_order_value']),
        ('retention', []),
    ]) }}
{% endmacro %}

{#
    What each lifecycle condition reads: the fact it compares, the customer_lifecycle column
    segment_input_history records for it (the fact itself: the counts change only when an order
    is placed or leaves the VIP window) and the vars it compares the fact with (vip_status
    applies them).
#}
{% macro lifecycle_condition_facts() %}
    {{ return({
        'has_valid_order': {'fact': 'valid_orders', 'recorded': 'valid_orders', 'thresholds': []},
        'is_vip_by_frequency': {'fact': 'orders_in_vip_window', 'recorded': 'orders_in_vip_window',
                                'thresholds': ['vip_min_orders', 'vip_window_days']},
        'is_vip_by_order_value': {'fact': 'largest_qualifying_order_value',
                                  'recorded': 'largest_qualifying_order_value',
                                  'thresholds': ['vip_min_order_value', 'vip_single_order_window_days']},
    }) }}
{% endmacro %}

{#
    The lifecycle stage of the row of `relation` (a relation or CTE with the condition columns of
    lifecycle_stage_rules), as a case expression over those conditions.
#}
{% macro lifecycle_stage_sql(relation) -%}
    case
        {%- for stage, conditions in lifecycle_stage_rules() %}
        {%- if conditions %}
        when
            {%- for condition in conditions %}
            {{ 'or ' if not loop.first }}{{ 'not ' ~ relation ~ '.' ~ condition[4:] if condition.startswith('not ') else relation ~ '.' ~ condition }}
            {%- endfor %}
            then {{ string_literal(stage) }}
        {%- else %}
        else {{ string_literal(stage) }}
        {%- endif %}
        {%- endfor %}
    end
{%- endmacro %}
