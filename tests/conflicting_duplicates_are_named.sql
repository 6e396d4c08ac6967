-- Warns, naming each key whose copies name different customers: all its copies are quarantined
-- (conflicting_duplicate, docs/definitions.md §2.3), so the order or event counts for no one
-- until the source says which copy is right. The keys and the fields that differ are logged.
{{ config(severity='warn') }}
{%- set conflicts -%}
select
    source_table,
    duplicate_key,
    count(*) as copies,
    max(differing_fields) as differing_fields
from {{ ref('quarantined_rows') }}
where quarantine_reason = 'conflicting_duplicate'
group by source_table, duplicate_key
{%- endset %}
{{- log_rows(conflicts, 'conflicting duplicate') }}
{{ conflicts }}
