{#
    The steps base_email__events and base_web__events share. Both are incremental by the date
    written in the raw occurred_at (event_day), both quarantine a repeated event_id as a
    duplicate, and an incremental run must find the same duplicates as a full build. Each macro
    is one CTE body (or, for the last, one column) of those models; the CTEs a macro reads are
    its arguments.
#}

{#
    The where clause of the source CTE, written after its `select * from` the raw table: in an
    incremental run, it drops before any cleaning the raw rows whose partition this run keeps
    for certain, so that a night cleans about its batch, not the whole history. Those are the
    rows whose raw `raw_timestamp_column` starts with YYYY-MM-DD (a digit first and tenth, `-`
    fifth and eighth), which cleaning cannot change (it trims only whitespace and control
    characters at the ends), earlier than incremental_partition_start. event_batch_filter then
    selects the batch exactly from the cleaned rows. Every row in a full build.
    The first partition is read before the model runs and written as a literal, which DuckDB
    pushes into the file scan (with a subquery it joins row by row after reading every column:
    17 s against 12 s for the model at 50M raw rows). Plain comparisons come before the one
    substr: they are what each of those rows costs.
#}
{% macro raw_event_batch_prefilter(raw_timestamp_column) -%}
    {%- if is_incremental() -%}
        {%- set column = raw_timestamp_column -%}
        {%- set start = incremental_partition_start('occurred_at', where='quarantine_reason is null') -%}
        {#- A unit test gives `this` as rows of its own, which only the subquery reads. #}
        {%- if execute and model.resource_type != 'unit_test' -%}
            {%- set value = run_query('select ' ~ start).columns[0].values()[0] -%}
            {%- set start = string_literal(value) if value is not none else 'null' -%}
        {%- endif %}
        {#- The first partition is YYYY-MM-DD, so a text that is at least the digit 0 and less than
            it starts with a digit, and with its first ten characters less than it. #}
        where not coalesce(
            {{ column }} < {{ start }}
            and {{ column }} >= '0'
            and {{ column }} like '____-__-%'
            and substr({{ column }}, 10, 1) between '0' and '9',
            false
        )
    {%- endif -%}
{%- endmacro %}

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
    The body of the staged-before-batch CTE: per event of `batch_cte` with a copy in a partition
    this run keeps (none in a full build), the owner of its staged copy (`staged_owner`, null
    when none is staged) and whether copies there were quarantined as conflicting
    (`has_conflicting_copy`). A later copy is compared with them (event_quarantine_reason): the
    staged copy stays, as the run cannot rebuild its partition.
#}
{% macro events_staged_before_batch(batch_cte) -%}
    {%- if is_incremental() %}
    select
        event_id,
        max(case when quarantine_reason is null then {{ event_owner('customer_id') }} end) as staged_owner,
        max(case when quarantine_reason = 'conflicting_duplicate' then 1 else 0 end) = 1 as has_conflicting_copy
    from {{ this }}
    where
        (quarantine_reason is null or quarantine_reason = 'conflicting_duplicate')
        and event_day < {{ incremental_partition_start('occurred_at', where='quarantine_reason is null') }}
        and event_id in (select {{ batch_cte }}.event_id from {{ batch_cte }})
    group by event_id
    {%- else %}
    select
        event_id,
        customer_id as staged_owner,
        true as has_conflicting_copy
    from {{ batch_cte }}
    where 1 = 0
    {%- endif %}
{%- endmacro %}

{#
    The customer an event belongs to, as a value two copies can be compared on: clean_id makes
    an empty id null, so '' stands for none (an anonymous site event) and never for a customer.
#}
{% macro event_owner(customer_column) -%}
    coalesce({{ customer_column }}, '')
{%- endmacro %}

{#
    The body of the ranked CTE: the rows of `checked_cte` (the batch with its check_failure
    column), what events_staged_before_batch (`staged_before_batch_cte`) holds of their event,
    their rank among the copies of their event_id that share a check result (the earliest, then
    the other columns in order, is 1: docs/definitions.md §2.3), and whether those copies name
    different customers (`owners_disagree`).
#}
{% macro rank_event_copies(checked_cte, staged_before_batch_cte, tie_columns) -%}
    {%- set copies = 'partition by ' ~ checked_cte ~ '.event_id, ' ~ checked_cte ~ '.check_failure' %}
    select
        {{ checked_cte }}.*,
        {{ staged_before_batch_cte }}.staged_owner,
        coalesce({{ staged_before_batch_cte }}.has_conflicting_copy, false) as has_conflicting_copy,
        row_number() over (
            {{ copies }}
            order by {{ checked_cte }}.occurred_at
            {%- for column in tie_columns %}, {{ checked_cte }}.{{ column }} asc nulls last{% endfor %}
        ) as row_in_key,
        min({{ event_owner(checked_cte ~ '.customer_id') }}) over ({{ copies }})
        <> max({{ event_owner(checked_cte ~ '.customer_id') }}) over ({{ copies }}) as owners_disagree
    from {{ checked_cte }}
    left join {{ staged_before_batch_cte }}
        on {{ checked_cte }}.event_id = {{ staged_before_batch_cte }}.event_id
{%- endmacro %}

{#
    The quarantine reason of a ranked row: its failed check; else, for an event staged in a
    kept partition, `duplicate` when this copy names the same customer and
    `conflicting_duplicate` when not; else `conflicting_duplicate` when copies in a kept
    partition were, or the batch's copies name different customers; else `duplicate` for every
    copy after the first.
#}
{% macro event_quarantine_reason() -%}
    coalesce(
        check_failure,
        case
            when staged_owner is not null and staged_owner <> {{ event_owner('customer_id') }}
                then 'conflicting_duplicate'
            when staged_owner is not null then 'duplicate'
            when has_conflicting_copy or owners_disagree then 'conflicting_duplicate'
            when row_in_key > 1 then 'duplicate'
        end
    )
{%- endmacro %}
