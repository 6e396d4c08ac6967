-- One row per currency and rate date: the usable rows of base_finance__exchange_rates (the rest
-- are in quarantined_rows).
with

checked as (
    select * from {{ ref('base_finance__exchange_rates') }}
)

select
    currency,
    rate_date,
    rate_to_reporting
from checked
where quarantine_reason is null
