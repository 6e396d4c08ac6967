-- Every raw email message row, cast and checked (see base_shop__customers for the pattern).
-- A table: checked once, then read by the staging view, the audit models and the checked_ models.
{{ config(materialized='table') }}
with

source as (
    select * from {{ raw_table('email_messages') }}
),

cleaned as (
    select
        {{ clean_id('message_id') }} as message_id,
        {{ clean_code('message_type') }} as message_type,
        {{ clean_text('campaign_or_flow_name') }} as campaign_or_flow_name,
        {{ parse_integer('flow_step') }} as flow_step,
        {{ clean_id('ab_test_id') }} as ab_test_id,
        upper({{ clean_text('variant') }}) as variant,
        {{ clean_text('subject') }} as subject,
        {{ parse_utc_timestamp(clean_text('sent_at')) }} as sent_at,
        {{ clean_text('flow_step') }} as raw_flow_step
    from source
),

checked as (
    select
        *,
        case
            when message_id is null then 'missing_key'
            when sent_at is null then 'unparseable_timestamp'
            when not {{ is_plausible_timestamp('sent_at') }} then 'implausible_timestamp'
            when message_type is null or message_type not in ('campaign', 'flow') then 'unknown_message_type'
            when raw_flow_step is not null and flow_step is null then 'unparseable_value'
        end as check_failure
    from cleaned
),

ranked as (
    select
        *,
        row_number() over (
            partition by message_id, check_failure
            order by
                sent_at desc, subject asc nulls last, message_type asc, campaign_or_flow_name asc nulls last,
                flow_step asc nulls last, ab_test_id asc nulls last, variant asc nulls last
        ) as row_in_key
    from checked
)

select
    message_id,
    message_type,
    campaign_or_flow_name,
    flow_step,
    ab_test_id,
    variant,
    subject,
    sent_at,
    coalesce(
        check_failure,
        case when row_in_key > 1 then 'duplicate' end
    ) as quarantine_reason
from ranked
