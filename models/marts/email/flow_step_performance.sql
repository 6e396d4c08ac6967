-- One row per flow step (grain: flow_name + flow_step): the measures of email_message_performance
-- summed over the step's messages (one per A/B variant), rates recomputed from the sums.
with

message_performance as (
    select * from {{ ref('email_message_performance') }}
),

flow_steps as (
    select
        campaign_or_flow_name as flow_name,
        flow_step,
        count(*) as messages,
        min(subject) as subject,
        max(as_of) as as_of,
        {{ email_summed_counts() }}
    from message_performance
    where message_type = 'flow'
    group by campaign_or_flow_name, flow_step
)

select
    cast(flow_name as {{ dbt.type_string() }}) as flow_name,
    cast(flow_step as {{ dbt.type_int() }}) as flow_step,
    cast(messages as {{ dbt.type_int() }}) as messages,
    cast(subject as {{ dbt.type_string() }}) as subject,
    {{ email_measure_columns() }},
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from flow_steps
