-- One row per entry into the RFM retention groups in the flow at as_of (grain: customer_id +
-- trigger_key = entered_at): a customer in one of rfm_retention_groups (At Risk, Needs
-- Attention) at a recorded build who was in none of them at the build before (segment_history,
-- builds at or before as_of). Memberships already there at the first recorded build are not
-- entries (nothing saw them enter). rfm_retention_steps emails rfm_retention_step_gap_days apart
-- from the build that saw the entry; a valid order after it or leaving the groups exits. The
-- branch names the group and whether the customer had bought once. Statuses: macro journey_rows.
{%- set step_offsets = [] %}
{%- for step_index in range(var('segments__rfm_retention_steps')) %}
{%- do step_offsets.append(step_index * var('segments__rfm_retention_step_gap_days')) %}
{%- endfor %}
with

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

send_eligibility as (
    select * from {{ ref('int_customer_send_eligibility') }}
),

journey_holdouts as (
    select * from {{ ref('int_journey_holdouts') }}
),

segment_history as (
    select * from {{ ref('segment_history') }}
),

valid_orders as (
    select * from {{ ref('int_orders') }}
    where is_valid_order
),

step_offsets as (
    {{ journey_step_offsets(step_offsets) }}
),

{{ rfm_retention_group_entries('segment_history', 'as_of_point') }},

entries as (
    select * from rfm_group_entries
),

orders_around_entry as (
    select
        entries.customer_id,
        entries.entered_at,
        sum(case when valid_orders.ordered_at <= entries.entered_at then 1 else 0 end) as orders_at_entry,
        min(case when valid_orders.ordered_at > entries.entered_at then valid_orders.ordered_at end)
            as first_order_after_entry_at
    from entries
    inner join valid_orders
        on entries.customer_id = valid_orders.customer_id
    group by entries.customer_id, entries.entered_at
),

retention_entries as (
    select
        entries.customer_id,
        entries.entered_at,
        {{ dbt.concat([
            'entries.rfm_group', "' / '",
            "case when orders_around_entry.orders_at_entry = 1 then 'one-time buyer' else 'repeat buyer' end",
        ]) }} as branch,
        case
            when orders_around_entry.first_order_after_entry_at is null then entries.left_groups_at
            when entries.left_groups_at is null then orders_around_entry.first_order_after_entry_at
            when orders_around_entry.first_order_after_entry_at <= entries.left_groups_at
                then orders_around_entry.first_order_after_entry_at
            else entries.left_groups_at
        end as exited_at,
        case
            when orders_around_entry.first_order_after_entry_at is null then 'left_segment'
            when entries.left_groups_at is null then 'ordered_after_trigger'
            when orders_around_entry.first_order_after_entry_at <= entries.left_groups_at
                then 'ordered_after_trigger'
            else 'left_segment'
        end as exit_reason
    from entries
    inner join orders_around_entry
        on entries.customer_id = orders_around_entry.customer_id
        and entries.entered_at = orders_around_entry.entered_at
    {%- if var('segments__rfm_retention_one_time_buyers_only') %}
    where orders_around_entry.orders_at_entry = 1
    {%- endif %}
),

journey_steps as (
    select
        retention_entries.customer_id,
        cast(retention_entries.entered_at as {{ dbt.type_string() }}) as trigger_key,
        retention_entries.entered_at as trigger_at,
        retention_entries.branch,
        step_offsets.step,
        {{ dbt.dateadd('day', 'step_offsets.step_offset', 'retention_entries.entered_at') }} as due_at,
        retention_entries.exited_at,
        retention_entries.exit_reason
    from retention_entries
    cross join step_offsets
),

{{ journey_rows(
    'rfm_retention',
    steps_cte='journey_steps',
    as_of_cte='as_of_point',
    send_eligibility_cte='send_eligibility',
    holdouts_cte='journey_holdouts',
) }}
