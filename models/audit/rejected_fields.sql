-- One row per staged raw row and field that staging rejected, with the reason; the row itself
-- counts. No raw values: they are personal data. A nulled field (an implausible date or time)
-- is counted here; an unrecognised country code is kept as written and counted too.
-- A view over the base models, which carry the flags, like quarantined_rows.
{{ config(materialized='view') }}
{%- set rejections = [
    {'table': 'customers', 'base': 'base_shop__customers', 'row_key': 'customer_id',
     'field': 'birth_date', 'condition': 'is_birth_date_rejected', 'reason': 'implausible_date'},
    {'table': 'customers', 'base': 'base_shop__customers', 'row_key': 'customer_id',
     'field': 'created_at', 'condition': 'is_created_at_rejected', 'reason': 'implausible_timestamp'},
    {'table': 'customers', 'base': 'base_shop__customers', 'row_key': 'customer_id',
     'field': 'country_code', 'condition': 'not is_country_code_known', 'reason': 'unknown_country_code'},
] %}
{% for rejection in rejections %}
{%- if not loop.first %}
union all
{% endif %}
select
    cast('raw_{{ rejection.table }}' as {{ dbt.type_string() }}) as source_table,
    cast({{ rejection.row_key }} as {{ dbt.type_string() }}) as row_key,
    cast({{ string_literal(rejection.field) }} as {{ dbt.type_string() }}) as field_name,
    cast({{ string_literal(rejection.reason) }} as {{ dbt.type_string() }}) as rejection_reason
from {{ ref(rejection.base) }}
-- Quarantined rows are quarantined_rows' business: their fields never reach a fact.
where quarantine_reason is null and {{ rejection.condition }}
{% endfor %}
