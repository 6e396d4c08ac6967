-- One row per audience, channel and customer eligible for it at as_of (docs/definitions.md §8): what
-- an email platform or an ad platform takes. Audiences are every segment of segment_memberships
-- (personas, RFM segment, RFM group, lifecycle stage, custom), the purchase cadence status, the churn
-- risk band and likely buyers of reliable predictions, and the win-back test samples.
-- Channels (§1.7): email = emailable (subscribed, not suppressed) and not on sunset_list; ads =
-- no email-list condition, only tracking consent where the country needs it
-- (ads_require_tracking_consent). Either needs an email address. Membership never depends on
-- consent; only the channel rows do.
{#- customer_predictions is built on DuckDB only (its Python models); elsewhere its audiences are left out. #}
{%- set predictions_built = predictions_are_built() %}
with

segment_memberships as (
    select * from {{ ref('segment_memberships') }}
),

customer_purchase_cadence as (
    select * from {{ ref('customer_purchase_cadence') }}
),

{% if predictions_built -%}
customer_predictions as (
    select * from {{ ref('customer_predictions') }}
),
{%- endif %}

winback_test_audiences as (
    select * from {{ ref('winback_test_audiences') }}
),

customer_contacts as (
    select * from {{ ref('customer_contacts') }}
),

sunset_list as (
    select * from {{ ref('sunset_list') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

audiences as (
    select
        segment_family as audience_family,
        segment_name as audience_name,
        customer_id
    from segment_memberships

    union all

    select
        'cadence_status' as audience_family,
        cadence_status as audience_name,
        customer_id
    from customer_purchase_cadence
    {%- if predictions_built %}

    union all

    -- Predictions the project flags as unreliable (too little data, a fit that did not
    -- converge) are not targeted on.
    select
        'churn_risk_band' as audience_family,
        churn_risk_band as audience_name,
        customer_id
    from customer_predictions
    where is_reliable and churn_risk_band is not null

    union all

    select
        'likely_buyer' as audience_family,
        'Likely buyers' as audience_name,
        customer_id
    from customer_predictions
    where is_reliable and is_likely_buyer
    {%- endif %}

    union all

    select
        'winback_test' as audience_family,
        segment_name as audience_name,
        customer_id
    from winback_test_audiences
    where is_in_test_sample
),

channels as (
    select 'email' as channel
    union all
    select 'ads' as channel
),

eligibility as (
    select
        customer_contacts.customer_id,
        customer_contacts.email,
        (
            customer_contacts.email is not null
            and customer_contacts.is_emailable
            and sunset_list.customer_id is null
        ) as is_email_eligible,
        (
            customer_contacts.email is not null
            and (
                {{ 'false' if var('segments__ads_require_tracking_consent') else 'true' }}
                or not customer_contacts.requires_tracking_consent
                or customer_contacts.tracking_consent
            )
        ) as is_ads_eligible
    from customer_contacts
    left join sunset_list
        on customer_contacts.customer_id = sunset_list.customer_id
),

eligible_members as (
    select
        audiences.audience_family,
        audiences.audience_name,
        channels.channel,
        audiences.customer_id,
        case when channels.channel = 'email' then eligibility.email end as email,
        case when channels.channel = 'ads' then {{ sha256_hex('eligibility.email') }} end as hashed_email
    from audiences
    inner join eligibility
        on audiences.customer_id = eligibility.customer_id
    inner join channels
        on (channels.channel = 'email' and eligibility.is_email_eligible)
        or (channels.channel = 'ads' and eligibility.is_ads_eligible)
    -- The win-back sample is drawn for an email test send; advertising to it would blur the test.
    where audiences.audience_family <> 'winback_test' or channels.channel = 'email'
)

select
    cast(eligible_members.audience_family as {{ dbt.type_string() }}) as audience_family,
    cast(eligible_members.audience_name as {{ dbt.type_string() }}) as audience_name,
    cast(eligible_members.channel as {{ dbt.type_string() }}) as channel,
    cast(eligible_members.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(eligible_members.email as {{ dbt.type_string() }}) as email,
    cast(eligible_members.hashed_email as {{ dbt.type_string() }}) as hashed_email,
    cast(as_of_point.as_of as {{ dbt.type_timestamp() }}) as as_of
from eligible_members
cross join as_of_point
