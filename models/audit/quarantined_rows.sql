-- One row per raw row that staging kept out of the facts, with the reason. Duplicates are
-- listed too (reason `duplicate`): the first copy of a row is staged, every further copy is here.
-- A view over the base models, which carry the reason: it is as current as they are,
-- also after an incremental build, and a build never rescans the event history for it.
{{ config(materialized='view') }}
{% for staged_table in staged_tables() %}
{%- if not loop.first %}
union all
{% endif %}
select
    cast('raw_{{ staged_table.table }}' as {{ dbt.type_string() }}) as source_table,
    cast({{ staged_table.row_key }} as {{ dbt.type_string() }}) as row_key,
    cast(quarantine_reason as {{ dbt.type_string() }}) as quarantine_reason
from {{ ref(staged_table.base) }}
where quarantine_reason is not null
{% endfor %}
