{#
    The docs/definitions.md §2 raw tables with the model that gives each of their rows its final
    quarantine_reason (`checked`: the base model when every check needs only the row's own table,
    else the checked_ model after it), the expression that names a row of them (its key) and that
    model's other columns that copies of a key are compared on (`fields`, alphabetical;
    quarantined_rows.differing_fields). quarantined_rows and
    staging_reconciliation both loop over this list, so a new raw table is added here once.
#}
{% macro staged_tables() %}
    {{ return([
        {'table': 'customers', 'checked': 'base_shop__customers', 'staged': 'stg_shop__customers',
         'row_key': 'customer_id',
         'fields': ['acquisition_source', 'birth_date', 'country_code', 'created_at', 'email', 'email_consent',
                    'first_name', 'has_tracking_consent', 'last_name']},
        {'table': 'products', 'checked': 'base_shop__products', 'staged': 'stg_shop__products',
         'row_key': 'product_id',
         'fields': ['category', 'price', 'product_name', 'replenishment_days']},
        {'table': 'orders', 'checked': 'checked_shop__orders', 'staged': 'stg_shop__orders',
         'row_key': 'order_id',
         'fields': ['currency', 'customer_id', 'discount', 'order_status', 'ordered_at', 'refunded_amount',
                    'shipping', 'subtotal', 'total']},
        {'table': 'order_items', 'checked': 'checked_shop__order_items', 'staged': 'stg_shop__order_items',
         'row_key': dbt.concat(['order_id', "'#'", try_cast('line_number', dbt.type_string())]),
         'fields': ['product_id', 'quantity', 'unit_price']},
        {'table': 'email_messages', 'checked': 'base_email__messages', 'staged': 'stg_email__messages',
         'row_key': 'message_id',
         'fields': ['ab_test_id', 'campaign_or_flow_name', 'flow_step', 'message_type', 'sent_at', 'subject',
                    'variant']},
        {'table': 'email_events', 'checked': 'checked_email__events', 'staged': 'stg_email__events',
         'row_key': 'event_id',
         'fields': ['bounce_type', 'customer_id', 'event_type', 'is_flagged_machine_open', 'message_id',
                    'occurred_at', 'user_agent']},
        {'table': 'web_events', 'checked': 'checked_web__events', 'staged': 'stg_web__events',
         'row_key': 'event_id',
         'fields': ['anonymous_id', 'customer_id', 'event_type', 'occurred_at', 'product_id', 'session_id']},
        {'table': 'exchange_rates', 'checked': 'base_finance__exchange_rates', 'staged': 'stg_finance__exchange_rates',
         'row_key': dbt.concat(['currency', "'#'", try_cast('rate_date', dbt.type_string())]),
         'fields': ['rate_to_reporting']},
    ]) }}
{% endmacro %}

{#
    For quarantined_rows.differing_fields: one aggregate expression per column of `fields`
    (alphabetical), each `,<column>` when the grouped copies hold two values of it, or a value
    and a null, else ''. Concatenated, they list the columns that differ, comma-first.
#}
{% macro differing_field_flags(fields) %}
    {%- set flags = [] -%}
    {%- for field in fields | sort -%}
        {%- do flags.append(
            'case when count(distinct ' ~ field ~ ') > 1 or (count(' ~ field ~ ') > 0 and count(' ~ field
            ~ ') < count(*)) then ' ~ string_literal(',' ~ field) ~ " else '' end"
        ) -%}
    {%- endfor -%}
    {{ return(flags) }}
{% endmacro %}
