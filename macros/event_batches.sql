{#
    The steps base_email__events and base_web__events share (issue #5). Both are incremental by
    the date written in the raw occurred_at (event_day), both quarantine a repeated event_id as a
    duplicate, and an incremental run must find the same duplicates as a full build. Each macro
    is one CTE body (or, for the last, one column) of those models, which read `cleaned`,
    `batch`, `checked` and `staged_before_batch` by those names.
#}

{#
    The filter of the `batch` CTE: the raw rows this run stages. Every row in a full build; in an
    incremental run, the partitions from incremental_partition_start on and `other` (timestamps
    that do not start with a date), whose rows the run replaces.
#}
{% macro event_batch_filter() -%}
    {%- if is_incremental() -%}
        where
            event_day = 'other'
            or event_day >= {{ incremental_partition_start('occurred_at', where='quarantine_reason is null') }}
    {%- endif -%}
{%- endmacro %}

{#
    The body of `staged_before_batch`: the ids of the batch's events already staged in a
    partition this run keeps (none in a full build). A later copy of one of them is a duplicate,
    as it would be in a full build, where the earliest copy is staged.
#}
{% macro events_staged_before_batch() -%}
    {%- if is_incremental() %}
    select event_id
    from {{ this }}
    where
        quarantine_reason is null
        and event_day < {{ incremental_partition_start('occurred_at', where='quarantine_reason is null') }}
        and event_id in (select batch.event_id from batch)
    {%- else %}
    select event_id from batch
    where 1 = 0
    {%- endif %}
{%- endmacro %}

{#
    The body of `ranked`: the checked rows, whether their event is staged before the batch, and
    their rank among the copies of their event_id that share a check result (the earliest, then
    the first event type alphabetically, is 1).
#}
{% macro rank_event_copies() -%}
    select
        checked.*,
        staged_before_batch.event_id is not null as is_staged_before_batch,
        row_number() over (
            partition by checked.event_id, checked.check_failure
            order by checked.occurred_at, checked.event_type
        ) as row_in_key
    from checked
    left join staged_before_batch
        on checked.event_id = staged_before_batch.event_id
{%- endmacro %}

{# The quarantine reason of a ranked row: its failed check, else `duplicate` for a later copy. #}
{% macro event_quarantine_reason() -%}
    coalesce(
        check_failure,
        case when row_in_key > 1 or is_staged_before_batch then 'duplicate' end
    )
{%- endmacro %}
