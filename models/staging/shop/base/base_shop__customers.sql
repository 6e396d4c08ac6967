-- Every raw customer row, cast and checked. stg_shop__customers keeps the usable rows;
-- quarantined_rows lists the rest with the reason, so each raw row is accounted for once.
-- A usable row may still lose an implausible field (nulled, flagged here, counted in
-- rejected_fields): a wrong birth date or sign-up time should not cost the customer's orders.
-- A table: checked once, then read by the staging view, the audit models and the checked_ models.
{{ config(materialized='table') }}
{#- docs/definitions.md §1 plausible window: before the min, or at or after the max, is implausible. #}
{%- set timestamp_type = api.Column.translate_type('timestamp') %}
{%- set timestamp_min = 'cast(' ~ string_literal(var('segments__plausible_timestamp_min'))
    ~ ' as ' ~ timestamp_type ~ ')' %}
{%- set timestamp_max = 'cast(' ~ string_literal(var('segments__plausible_timestamp_max'))
    ~ ' as ' ~ timestamp_type ~ ')' %}
{%- set date_min = 'cast(' ~ timestamp_min ~ ' as date)' %}
{%- set max_age_years = var('segments__max_plausible_age_years') %}
with

source as (
    select * from {{ raw_table('customers') }}
),

-- Every accepted spelling of a country (alpha-2, alpha-3, UK, EL) to its ISO alpha-2 code.
country_codes as (
    select
        code,
        country_code
    from {{ ref('country_codes') }}
),

cleaned as (
    select
        {{ clean_id('customer_id') }} as customer_id,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        upper({{ clean_text('country_code') }}) as written_country_code,
        {{ parse_utc_timestamp(clean_text('created_at')) }} as parsed_created_at,
        {{ clean_code('email_consent') }} as email_consent,
        {{ parse_boolean('tracking_consent') }} as has_tracking_consent,
        {{ parse_date('birth_date') }} as parsed_birth_date,
        {{ clean_code('acquisition_source') }} as acquisition_source,
        {{ clean_text('tracking_consent') }} as raw_tracking_consent,
        {{ clean_text('birth_date') }} as raw_birth_date
    from source
),

-- docs/definitions.md §1 plausible values: a sign-up time outside [plausible_timestamp_min,
-- plausible_timestamp_max) is unknown; the row stays.
created_checked as (
    select
        *,
        coalesce(
            parsed_created_at < {{ timestamp_min }}
            or parsed_created_at >= {{ timestamp_max }},
            false
        ) as is_created_at_rejected
    from cleaned
),

-- No model reads the clock, so a birth date is judged against the row itself: nobody signs up
-- (UTC date) before being born or older than max_plausible_age_years. Without a plausible
-- sign-up time it must still fall in [plausible_timestamp_min - max_plausible_age_years,
-- plausible_timestamp_max), which the first two rules imply when there is one.
with_created_date as (
    select
        *,
        case when not is_created_at_rejected then cast(parsed_created_at as date) end as created_date
    from created_checked
),

birth_checked as (
    select
        *,
        coalesce(
            parsed_birth_date > created_date
            or parsed_birth_date < cast({{ dbt.dateadd('year', -max_age_years, 'created_date') }} as date)
            or parsed_birth_date < cast({{ dbt.dateadd('year', -max_age_years, date_min) }} as date)
            or parsed_birth_date >= cast({{ timestamp_max }} as date),
            false
        ) as is_birth_date_rejected
    from with_created_date
),

normalised as (
    select
        birth_checked.customer_id,
        birth_checked.email,
        birth_checked.first_name,
        birth_checked.last_name,
        -- An unrecognised code is kept as written (upper-cased) so it can be looked into.
        coalesce(country_codes.country_code, birth_checked.written_country_code) as country_code,
        case
            when birth_checked.written_country_code is not null then country_codes.country_code is not null
        end as is_country_code_known,
        case when not birth_checked.is_created_at_rejected then birth_checked.parsed_created_at end as created_at,
        birth_checked.parsed_created_at,
        birth_checked.email_consent,
        birth_checked.has_tracking_consent,
        case when not birth_checked.is_birth_date_rejected then birth_checked.parsed_birth_date end as birth_date,
        birth_checked.parsed_birth_date,
        birth_checked.acquisition_source,
        birth_checked.raw_tracking_consent,
        birth_checked.raw_birth_date,
        birth_checked.is_created_at_rejected,
        birth_checked.is_birth_date_rejected
    from birth_checked
    left join country_codes
        on birth_checked.written_country_code = country_codes.code
),

checked as (
    select
        *,
        case
            when customer_id is null then 'missing_key'
            when parsed_created_at is null then 'unparseable_timestamp'
            when raw_birth_date is not null and parsed_birth_date is null then 'unparseable_date'
            when
                email_consent is null
                or email_consent not in ('subscribed', 'unsubscribed', 'never_subscribed')
                then 'unknown_consent_value'
            when raw_tracking_consent is not null and has_tracking_consent is null
                then 'unknown_consent_value'
        end as check_failure
    from normalised
),

ranked as (
    select
        *,
        -- Re-exports repeat a customer; keep one row per id among the usable rows. A changed
        -- profile is an update, never a conflict: the export's only version column is
        -- created_at, so the copy with the latest one is the current profile, and copies with
        -- the same one are ordered by every other column (docs/definitions.md §2.3). NULLs sort
        -- last explicitly: Spark puts them first in ascending order, DuckDB last. A copy whose
        -- sign-up time was rejected loses to one with a plausible time.
        row_number() over (
            partition by customer_id, check_failure
            order by
                created_at desc nulls last, email asc nulls last, country_code asc nulls last,
                first_name asc nulls last, last_name asc nulls last, email_consent asc nulls last,
                has_tracking_consent asc nulls last, birth_date asc nulls last,
                acquisition_source asc nulls last
        ) as row_in_key
    from checked
)

select
    customer_id,
    email,
    first_name,
    last_name,
    country_code,
    is_country_code_known,
    created_at,
    email_consent,
    has_tracking_consent,
    birth_date,
    acquisition_source,
    is_created_at_rejected,
    is_birth_date_rejected,
    coalesce(
        check_failure,
        case when row_in_key > 1 then 'duplicate' end
    ) as quarantine_reason
from ranked
