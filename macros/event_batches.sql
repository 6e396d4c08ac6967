{#
    The steps base_email__events and base_web__events share. Both are incremental by the date
    written in the raw occurred_at (event_day), both quarantine a repeated event_id as a
    duplicate, and an incremental run must find the same duplicates as a full build. Each macro
    is one CTE body (or, for the last, one column) of those models; the CTEs a macro reads are
    its arguments.
#}

{#
    The where clause of the batch CTE, written after the model's `select * from` its cleaned
    rows: the raw rows this run stages. Every row in a full build; in an incremental run, the
    partitions from incremental_partition_start on and `other` (timestamps that do not start
    with a date), whose rows the run replaces.
#}
{% macro event_batch_filter() -%}
    {%- if is_incremental() -%}
        where
            event_day = 'other'
            or event_day >= {{ incremental_partition_start('occurred_at', where='quarantine_reason is null') }}
    {%- endif -%}
{%- endmacro %}

{#
    The body of the staged-before-batch CTE: the ids of the events of `batch_cte` already staged
    in a partition this run keeps (none in a full build). A later copy of one of them is a
    duplicate, as it would be in a full build, where the earliest copy is staged.
#}
{% macro events_staged_before_batch(batch_cte) -%}
    {%- if is_incremental() %}
    select event_id
    from {{ this }}
    where
        quarantine_reason is null
        and event_day < {{ incremental_partition_start('occurred_at', where='quarantine_reason is null') }}
        and event_id in (select {{ batch_cte }}.event_id from {{ batch_cte }})
    {%- else %}
    select event_id from {{ batch_cte }}
    where 1 = 0
    {%- endif %}
{%- endmacro %}

{#
    The body of the ranked CTE: the rows of `checked_cte` (the batch with its check_failure
    column), whether their event is in `staged_before_batch_cte` (events_staged_before_batch),
    and their rank among the copies of their event_id that share a check result (the earliest,
    then the first event type alphabetically, is 1).
#}
{% macro rank_event_copies(checked_cte, staged_before_batch_cte) -%}
    select
        {{ checked_cte }}.*,
        {{ staged_before_batch_cte }}.event_id is not null as is_staged_before_batch,
        row_number() over (
            partition by {{ checked_cte }}.event_id, {{ checked_cte }}.check_failure
            order by {{ checked_cte }}.occurred_at, {{ checked_cte }}.event_type
        ) as row_in_key
    from {{ checked_cte }}
    left join {{ staged_before_batch_cte }}
        on {{ checked_cte }}.event_id = {{ staged_before_batch_cte }}.event_id
{%- endmacro %}

{# The quarantine reason of a ranked row: its failed check, else `duplicate` for a later copy. #}
{% macro event_quarantine_reason() -%}
    coalesce(
        check_failure,
        case when row_in_key > 1 or is_staged_before_batch then 'duplicate' end
    )
{%- endmacro %}
