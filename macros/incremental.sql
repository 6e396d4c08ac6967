{#
    Incremental event models reprocess whole days: from the latest day already built minus var
    incremental_lookback_days, so that events arriving that late are still picked up.
    Each model replaces those days (delete+insert keyed on its day column), so a rerun over the
    same data changes nothing and a --full-refresh builds the same rows.
#}

{#
    For the models downstream of the staged events (UTC days): the first instant to reprocess,
    midnight of (the latest `timestamp_column` in this model's table, among rows matching `where`)
    minus incremental_lookback_days minus 2. The two extra days cover every row the base models
    may have replaced: they reprocess one day more than the lookback, by the date written in the
    raw timestamp, which an offset can put one day after the UTC date. NULL for an empty table.
#}
{% macro incremental_window_start(timestamp_column, where='1 = 1') -%}
    (
        select {{ incremental_reprocess_from('cast(max(' ~ timestamp_column ~ ') as date)') }}
        from {{ this }}
        where {{ where }}
    )
{%- endmacro %}

{#
    The rule of incremental_window_start on one day: the first day an incremental run reprocesses
    when `latest_built_date` (a SQL date expression) is the latest day already built. The
    benchmark asks it which days its data tests must check (src/store_segments/bench/benchmark.py).
#}
{% macro incremental_reprocess_from(latest_built_date) -%}
    {{ dbt.dateadd('day', -1 * (var('segments__incremental_lookback_days') + 2), latest_built_date) }}
{%- endmacro %}

{# A condition keeping the rows an incremental run reprocesses (all rows on an empty table). #}
{% macro is_in_incremental_window(column, timestamp_column=none, where='1 = 1') -%}
    {{ column }} >= coalesce(
        {{ incremental_window_start(timestamp_column or column, where) }},
        {{ column }}
    )
{%- endmacro %}

{#
    For the base event models, whose partitions are the dates *as written* in the raw timestamp
    (before conversion to UTC, so that finding the rows to reprocess needs no parsing): the first
    partition to reprocess, as text YYYY-MM-DD. One day earlier than incremental_window_start,
    because an offset moves the written date up to a day away from the UTC date.
#}
{% macro incremental_partition_start(timestamp_column, where='1 = 1') -%}
    (
        select
            cast(cast({{ dbt.dateadd(
                'day',
                -1 * (var('segments__incremental_lookback_days') + 1),
                'cast(max(' ~ timestamp_column ~ ') as date)'
            ) }} as date) as {{ dbt.type_string() }})
        from {{ this }}
        where {{ where }}
    )
{%- endmacro %}

{# The partition of a raw timestamp text: its leading YYYY-MM-DD, or `other` (e.g. unparseable). #}
{% macro written_date_partition(text_column) -%}
    case when {{ text_column }} like '____-__-__%' then substr({{ text_column }}, 1, 10) else 'other' end
{%- endmacro %}

