-- One row per customer: the usable rows of base_shop__customers (the rest are in quarantined_rows).
with

checked as (
    select * from {{ ref('base_shop__customers') }}
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
    acquisition_source
from checked
where quarantine_reason is null
