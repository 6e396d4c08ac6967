{#
    The docs/definitions.md §2 raw tables with the base model that checks them and the expression that names
    a row of them. quarantined_rows and staging_reconciliation both loop over this list, so a new
    raw table is added here once.
#}
{% macro staged_tables() %}
    {{ return([
        {'table': 'customers', 'base': 'base_shop__customers', 'staged': 'stg_shop__customers',
         'row_key': 'customer_id'},
        {'table': 'products', 'base': 'base_shop__products', 'staged': 'stg_shop__products',
         'row_key': 'product_id'},
        {'table': 'orders', 'base': 'base_shop__orders', 'staged': 'stg_shop__orders',
         'row_key': 'order_id'},
        {'table': 'order_items', 'base': 'base_shop__order_items', 'staged': 'stg_shop__order_items',
         'row_key': dbt.concat(['order_id', "'#'", dbt.safe_cast('line_number', dbt.type_string())])},
        {'table': 'email_messages', 'base': 'base_email__messages', 'staged': 'stg_email__messages',
         'row_key': 'message_id'},
        {'table': 'email_events', 'base': 'base_email__events', 'staged': 'stg_email__events',
         'row_key': 'event_id'},
        {'table': 'web_events', 'base': 'base_web__events', 'staged': 'stg_web__events',
         'row_key': 'event_id'},
        {'table': 'exchange_rates', 'base': 'base_finance__exchange_rates', 'staged': 'stg_finance__exchange_rates',
         'row_key': dbt.concat(['currency', "'#'", dbt.safe_cast('rate_date', dbt.type_string())])},
    ]) }}
{% endmacro %}
