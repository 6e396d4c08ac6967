-- Every email report adds up to exactly the human opens of int_email_events_classified, and its
-- machine opens to exactly the machine opens: no report counts a machine open as an open, none
-- loses or double counts one. Returns the reports whose totals differ.
with

email_events as (
    select * from {{ ref('int_email_events_classified') }}
),

message_performance as (
    select * from {{ ref('email_message_performance') }}
),

campaign_performance as (
    select * from {{ ref('campaign_performance') }}
),

flow_step_performance as (
    select * from {{ ref('flow_step_performance') }}
),

segment_performance as (
    select * from {{ ref('segment_email_performance') }}
),

send_time_performance as (
    select * from {{ ref('send_time_performance') }}
),

event_totals as (
    select
        sum(case when is_human_open then 1 else 0 end) as human_opens,
        sum(case when is_machine_open then 1 else 0 end) as machine_opens
    from email_events
),

campaigns_and_flows as (
    select
        human_opens,
        machine_opens
    from campaign_performance
    union all
    select
        human_opens,
        machine_opens
    from flow_step_performance
),

report_totals as (
    select
        'email_message_performance' as report,
        sum(human_opens) as human_opens,
        sum(machine_opens) as machine_opens
    from message_performance
    union all
    select
        'campaign_performance + flow_step_performance' as report,
        sum(human_opens) as human_opens,
        sum(machine_opens) as machine_opens
    from campaigns_and_flows
    union all
    select
        {{ dbt.concat(["'segment_email_performance '", 'segment_family']) }} as report,
        sum(human_opens) as human_opens,
        sum(machine_opens) as machine_opens
    from segment_performance
    group by segment_family
    union all
    select
        'send_time_performance' as report,
        sum(human_opens) as human_opens,
        sum(machine_opens) as machine_opens
    from send_time_performance
)

select
    report_totals.report,
    report_totals.human_opens,
    report_totals.machine_opens,
    event_totals.human_opens as expected_human_opens,
    event_totals.machine_opens as expected_machine_opens
from report_totals
cross join event_totals
where
    report_totals.human_opens <> event_totals.human_opens
    or report_totals.machine_opens <> event_totals.machine_opens
