-- One row per raw row that staging kept out of the facts, with the reason. Copies of one key
-- are listed too (`duplicate`: a further copy of a staged row; `conflicting_duplicate`: copies
-- naming different customers, none staged), with the key they share and the columns whose
-- values differ between the copies, so a reader sees whether a dropped copy held anything else.
-- A view over the models that give each raw row its final reason (staged_tables()): it is as
-- current as they are, also after an incremental build, and a build never rescans the event
-- history for it.
-- Per raw table, <table>_copies holds, per key with a dropped copy, the columns that differ
-- between all its copies (the staged one and the dropped ones; not copies quarantined for
-- another reason): two values, or a value and a null (differing_field_flags).
{{ config(materialized='view') }}
{%- set copy_reasons = "('duplicate', 'conflicting_duplicate')" %}
with

{% for staged_table in staged_tables() %}
{{ staged_table.table }}_quarantined as (
    select
        {{ staged_table.row_key }} as row_key,
        quarantine_reason
    from {{ ref(staged_table.checked) }}
    where quarantine_reason is not null
),

{{ staged_table.table }}_copies as (
    select
        row_key,
        nullif(substr({{ dbt.concat(differing_field_flags(staged_table.fields)) }}, 2), '') as differing_fields
    from (
        select
            {{ staged_table.row_key }} as row_key,
            {{ staged_table.fields | join(', ') }}
        from {{ ref(staged_table.checked) }}
        where quarantine_reason is null or quarantine_reason in {{ copy_reasons }}
    ) as copy_rows
    where
        row_key in (
            select dropped.row_key
            from {{ staged_table.table }}_quarantined as dropped
            where dropped.quarantine_reason in {{ copy_reasons }}
        )
    group by row_key
),

{% endfor -%}
quarantined as (
    {% for staged_table in staged_tables() %}
    {%- if not loop.first %}
    union all
    {% endif %}
    select
        cast('raw_{{ staged_table.table }}' as {{ dbt.type_string() }}) as source_table,
        cast(quarantined.row_key as {{ dbt.type_string() }}) as row_key,
        cast(quarantined.quarantine_reason as {{ dbt.type_string() }}) as quarantine_reason,
        cast(
            case when quarantined.quarantine_reason in {{ copy_reasons }} then quarantined.row_key end
            as {{ dbt.type_string() }}
        ) as duplicate_key,
        cast(
            case when quarantined.quarantine_reason in {{ copy_reasons }} then copies.differing_fields end
            as {{ dbt.type_string() }}
        ) as differing_fields
    from {{ staged_table.table }}_quarantined as quarantined
    left join {{ staged_table.table }}_copies as copies
        on quarantined.row_key = copies.row_key
    {% endfor %}
)

select
    source_table,
    row_key,
    quarantine_reason,
    duplicate_key,
    differing_fields
from quarantined
