-- Warns, naming the raw table and its share, when more than max_quarantined_share of a raw
-- table's rows is quarantined (docs/definitions.md §2.5; duplicates are not counted): an export
-- that broke (a renamed status, a new timestamp format) shows here before anyone reads thinner
-- segments.
{{ config(severity='warn') }}
{%- set shares -%}
select
    source_table,
    rows_in,
    rows_quarantined,
    round(cast(rows_quarantined as {{ type_double() }}) / rows_in, 4) as quarantined_share
from {{ ref('staging_reconciliation') }}
where rows_in > 0 and rows_quarantined > {{ var('segments__max_quarantined_share') }} * rows_in
{%- endset %}
{{- log_rows(shares, 'quarantined share above max_quarantined_share') }}
{{ shares }}
