-- Every raw exchange rate row, cast and checked (see base_shop__customers for the pattern).
-- One rate per currency and day: a feed that repeats a day keeps the first copy.
-- A table: checked once, then read by the staging view, the audit models and checked_shop__orders.
{{ config(materialized='table') }}
with

source as (
    select * from {{ raw_table('exchange_rates') }}
),

cleaned as (
    select
        upper({{ clean_text('currency') }}) as currency,
        {{ parse_date('rate_date') }} as rate_date,
        {{ try_cast(clean_text('rate_to_reporting'), type_exchange_rate()) }} as rate_to_reporting,
        {{ clean_text('rate_date') }} as raw_rate_date
    from source
),

checked as (
    select
        *,
        case
            when currency is null or raw_rate_date is null then 'missing_key'
            when rate_date is null then 'unparseable_date'
            when not {{ is_plausible_timestamp('cast(rate_date as ' ~ dbt.type_timestamp() ~ ')') }}
                then 'implausible_timestamp'
            when rate_to_reporting is null or rate_to_reporting <= 0 then 'invalid_amount'
        end as check_failure
    from cleaned
),

ranked as (
    select
        *,
        row_number() over (
            partition by currency, rate_date, check_failure
            order by rate_to_reporting
        ) as row_in_key
    from checked
)

select
    currency,
    rate_date,
    rate_to_reporting,
    coalesce(
        check_failure,
        case when row_in_key > 1 then 'duplicate' end
    ) as quarantine_reason
from ranked
