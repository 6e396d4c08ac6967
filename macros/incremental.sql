{#
    Incremental event models (issue #5) reprocess whole days: from the latest day already built
    minus var incremental_lookback_days, so that events arriving that late are still picked up.
    Each model replaces those days (delete+insert keyed on its day column), so a rerun over the
    same data changes nothing and a --full-refresh builds the same rows.
#}

{#
    The first instant to reprocess: midnight of (the latest `timestamp_column` in this model's
    table, among rows matching `where`) minus incremental_lookback_days. NULL for an empty table.
#}
{% macro incremental_window_start(timestamp_column, where='1 = 1') -%}
    (
        select
            {{ dbt.dateadd(
                'day',
                -1 * var('incremental_lookback_days'),
                'cast(max(' ~ timestamp_column ~ ') as date)'
            ) }}
        from {{ this }}
        where {{ where }}
    )
{%- endmacro %}

{# A condition keeping the rows an incremental run reprocesses (all rows on an empty table). #}
{% macro is_in_incremental_window(column, timestamp_column=none, where='1 = 1') -%}
    {{ column }} >= coalesce(
        {{ incremental_window_start(timestamp_column or column, where) }},
        {{ column }}
    )
{%- endmacro %}
