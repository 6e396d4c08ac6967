-- One row per campaign (grain: campaign_name): the measures of email_message_performance summed
-- over the campaign's messages (an A/B test's variants are messages of one campaign), rates
-- recomputed from the sums. Flows are in flow_step_performance.
with

message_performance as (
    select * from {{ ref('email_message_performance') }}
),

campaigns as (
    select
        campaign_or_flow_name as campaign_name,
        min(sent_at) as first_sent_at,
        max(sent_at) as last_sent_at,
        count(*) as messages,
        max(ab_test_id) as ab_test_id,
        max(as_of) as as_of,
        {{ email_summed_counts() }}
    from message_performance
    where message_type = 'campaign'
    group by campaign_or_flow_name
)

select
    cast(campaign_name as {{ dbt.type_string() }}) as campaign_name,
    cast(first_sent_at as {{ dbt.type_timestamp() }}) as first_sent_at,
    cast(last_sent_at as {{ dbt.type_timestamp() }}) as last_sent_at,
    cast(messages as {{ dbt.type_int() }}) as messages,
    cast(ab_test_id as {{ dbt.type_string() }}) as ab_test_id,
    {{ email_measure_columns() }},
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from campaigns
