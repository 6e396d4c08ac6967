-- One row per kind and ordered product pair (grain: kind, product_id, partner_product_id):
-- bought_together from valid orders, viewed_together from sessions (int_product_baskets).
-- support = baskets with both / baskets; confidence = baskets with both / baskets with
-- product_id; lift = confidence / share of baskets with the partner. Baskets with more than
-- association_max_basket_size products are skipped whole (not truncated), so a pair costs at
-- most that size squared per basket and no arbitrary order decides which products count.
-- Kept: support >= association_min_support, lift >= association_min_lift, and the
-- association_top_partners best partners of each product (lift, then baskets, then id).
with

baskets as (
    select * from {{ ref('int_product_baskets') }}
),

kept_baskets as (
    select * from baskets
    where basket_size <= {{ var('segments__association_max_basket_size') }}
),

basket_counts as (
    select
        kind,
        count(distinct basket_id) as baskets
    from kept_baskets
    group by kind
),

product_counts as (
    select
        kind,
        product_id,
        count(*) as product_baskets
    from kept_baskets
    group by kind, product_id
),

pair_counts as (
    select
        kept_baskets.kind,
        kept_baskets.product_id,
        partner_baskets.product_id as partner_product_id,
        count(*) as pair_baskets
    from kept_baskets
    inner join kept_baskets as partner_baskets
        on kept_baskets.kind = partner_baskets.kind
        and kept_baskets.basket_id = partner_baskets.basket_id
        and kept_baskets.product_id <> partner_baskets.product_id
    group by kept_baskets.kind, kept_baskets.product_id, partner_baskets.product_id
),

measured as (
    select
        pair_counts.kind,
        pair_counts.product_id,
        pair_counts.partner_product_id,
        pair_counts.pair_baskets,
        product_counts.product_baskets,
        partner_counts.product_baskets as partner_baskets,
        basket_counts.baskets,
        cast(pair_counts.pair_baskets as {{ type_double() }}) / basket_counts.baskets as support,
        cast(pair_counts.pair_baskets as {{ type_double() }}) / product_counts.product_baskets as confidence,
        cast(pair_counts.pair_baskets as {{ type_double() }}) * basket_counts.baskets
        / (cast(product_counts.product_baskets as {{ type_double() }}) * partner_counts.product_baskets) as lift
    from pair_counts
    inner join product_counts
        on pair_counts.kind = product_counts.kind
        and pair_counts.product_id = product_counts.product_id
    inner join product_counts as partner_counts
        on pair_counts.kind = partner_counts.kind
        and pair_counts.partner_product_id = partner_counts.product_id
    inner join basket_counts
        on pair_counts.kind = basket_counts.kind
),

strong_pairs as (
    select
        *,
        row_number() over (
            partition by kind, product_id
            order by lift desc, pair_baskets desc, partner_product_id asc
        ) as partner_rank
    from measured
    where
        support >= {{ var('segments__association_min_support') }}
        and lift >= {{ var('segments__association_min_lift') }}
)

select
    cast(kind as {{ dbt.type_string() }}) as kind,
    cast(product_id as {{ dbt.type_string() }}) as product_id,
    cast(partner_product_id as {{ dbt.type_string() }}) as partner_product_id,
    cast(partner_rank as integer) as partner_rank,
    cast(pair_baskets as integer) as pair_baskets,
    cast(product_baskets as integer) as product_baskets,
    cast(partner_baskets as integer) as partner_baskets,
    cast(baskets as integer) as baskets,
    cast(support as {{ type_double() }}) as support,
    cast(confidence as {{ type_double() }}) as confidence,
    cast(lift as {{ type_double() }}) as lift
from strong_pairs
where partner_rank <= {{ var('segments__association_top_partners') }}
