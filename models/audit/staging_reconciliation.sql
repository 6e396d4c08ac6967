-- One row per raw table: rows in = rows staged + rows deduplicated + rows quarantined.
-- Counted from three independent places (the raw table, the staging view, quarantined_rows)
-- so that a staging model that drops or multiplies rows shows up as is_reconciled = false.
with

quarantine_counts as (
    select
        source_table,
        sum(case when quarantine_reason = 'duplicate' then 1 else 0 end) as rows_deduplicated,
        sum(case when quarantine_reason <> 'duplicate' then 1 else 0 end) as rows_quarantined
    from {{ ref('quarantined_rows') }}
    group by source_table
),

table_counts as (
    {% for staged_table in staged_tables() %}
    {%- if not loop.first %}
    union all
    {% endif %}
    select
        'raw_{{ staged_table.table }}' as source_table,
        (select count(*) from {{ raw_table(staged_table.table) }}) as rows_in,
        (select count(*) from {{ ref(staged_table.staged) }}) as rows_staged
    {% endfor %}
)

select
    cast(table_counts.source_table as {{ dbt.type_string() }}) as source_table,
    cast(table_counts.rows_in as {{ dbt.type_bigint() }}) as rows_in,
    cast(table_counts.rows_staged as {{ dbt.type_bigint() }}) as rows_staged,
    cast(coalesce(quarantine_counts.rows_deduplicated, 0) as {{ dbt.type_bigint() }}) as rows_deduplicated,
    cast(coalesce(quarantine_counts.rows_quarantined, 0) as {{ dbt.type_bigint() }}) as rows_quarantined,
    table_counts.rows_in = table_counts.rows_staged
    + coalesce(quarantine_counts.rows_deduplicated, 0)
    + coalesce(quarantine_counts.rows_quarantined, 0) as is_reconciled
from table_counts
left join quarantine_counts
    on table_counts.source_table = quarantine_counts.source_table
