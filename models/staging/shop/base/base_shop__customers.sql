-- Every raw customer row, cast and checked. stg_shop__customers keeps the usable rows;
-- quarantined_rows lists the rest with the reason, so each raw row is accounted for once.
-- A table: checked once, then read by the staging view, the audit models and other base models.
{{ config(materialized='table') }}
with

source as (
    select * from {{ raw_table('customers') }}
),

cleaned as (
    select
        {{ clean_text('customer_id') }} as customer_id,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        upper({{ clean_text('country_code') }}) as country_code,
        {{ parse_utc_timestamp(clean_text('created_at')) }} as created_at,
        {{ clean_code('email_consent') }} as email_consent,
        {{ parse_boolean('tracking_consent') }} as has_tracking_consent,
        {{ parse_date('birth_date') }} as birth_date,
        {{ clean_code('acquisition_source') }} as acquisition_source,
        {{ clean_text('tracking_consent') }} as raw_tracking_consent,
        {{ clean_text('birth_date') }} as raw_birth_date
    from source
),

checked as (
    select
        *,
        case
            when customer_id is null then 'missing_key'
            when created_at is null then 'unparseable_timestamp'
            when raw_birth_date is not null and birth_date is null then 'unparseable_date'
            when
                email_consent is null
                or email_consent not in ('subscribed', 'unsubscribed', 'never_subscribed')
                then 'unknown_consent_value'
            when raw_tracking_consent is not null and has_tracking_consent is null
                then 'unknown_consent_value'
        end as check_failure
    from cleaned
),

ranked as (
    select
        *,
        -- Re-exports repeat a customer; keep one row per id among the usable rows. NULLs sort
        -- last explicitly: Spark puts them first in ascending order, DuckDB last.
        row_number() over (
            partition by customer_id, check_failure
            order by created_at desc, email asc nulls last, country_code asc nulls last
        ) as row_in_key
    from checked
)

select
    customer_id,
    email,
    first_name,
    last_name,
    country_code,
    created_at,
    email_consent,
    has_tracking_consent,
    birth_date,
    acquisition_source,
    coalesce(
        check_failure,
        case when row_in_key > 1 then 'duplicate' end
    ) as quarantine_reason
from ranked
