-- One row per staged product: its catalogue price placed in the quartiles of the store's
-- catalogue prices (macro quartile_band, the rule of the customer AOV band), and whether it is
-- in the cheapest band its category has (the "basic variant" offered to At Risk customers).
with

products as (
    select * from {{ ref('stg_shop__products') }}
),

store_quartiles as (
    select
        {{ percentile_cont('price', 0.25) }} as price_q1,
        {{ median('price') }} as price_median,
        {{ percentile_cont('price', 0.75) }} as price_q3
    from products
),

banded as (
    select
        products.product_id,
        products.product_name,
        products.category,
        products.price,
        products.replenishment_days,
        store_quartiles.price_q1,
        store_quartiles.price_median,
        store_quartiles.price_q3,
        {{ quartile_band(
            'products.price',
            'store_quartiles.price_q1',
            'store_quartiles.price_median',
            'store_quartiles.price_q3',
        ) }} as price_band
    from products
    cross join store_quartiles
),

ranked as (
    select
        *,
        {{ quartile_band_rank('price_band') }} as price_band_rank
    from banded
)

select
    product_id,
    product_name,
    category,
    price,
    replenishment_days,
    replenishment_days is not null as is_replenishable,
    price_q1,
    price_median,
    price_q3,
    price_band,
    price_band_rank,
    price_band_rank = min(price_band_rank) over (partition by category) as is_basic_in_category
from ranked
