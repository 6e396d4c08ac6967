-- One row per customer and rank (grain: customer_id, recommendation_rank; ranks 1..N without
-- gaps, N <= recommendation_count): the products to show each customer of customer_facts.
-- Candidates and their score (a higher tier always wins; inside a tier the stronger signal):
--   replenish            4            a bought replenishable product due again (at most
--                                     recommendation_replenish_window_days past its due date)
--   bought_together      3 + lift/(1+lift)   partners of products the customer bought
--   viewed_together      2 + lift/(1+lift)   partners of products the customer viewed
--   category_bestseller  1 + 1/(1+rank)      the long window's top sellers of the customer's top category
--   bestseller           1/(1+rank)          the store's top sellers over the long window
-- Rules: a product already bought is left out unless it is the due replenish candidate; a
-- candidate's price band may be at most recommendation_max_band_step_up bands above the
-- customer's usual band (null = no limit; no usual band = no limit); customers in
-- recommendation_basic_variant_groups (rfm_group) get only the basic variant, a product in
-- the cheapest price band of its category (the retention guide's cheaper products for At
-- Risk). A product reached in several ways keeps its best-scored reason (ties: the reason,
-- then the source product, by name, so every engine picks the same row).
{%- set max_step_up = var('segments__recommendation_max_band_step_up') %}
with

customers as (
    select customer_id from {{ ref('customer_facts') }}
),

customer_rfm as (
    select
        customer_id,
        rfm_group
    from {{ ref('customer_rfm') }}
),

affinity as (
    select * from {{ ref('int_customer_product_affinity') }}
),

customer_products as (
    select * from {{ ref('int_customer_products') }}
),

associations as (
    select * from {{ ref('product_associations') }}
),

bestsellers as (
    select * from {{ ref('product_performance') }}
    where
        window_name = 'long'
        and units > 0
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

-- Due, and not so long ago that the customer has plainly stopped buying it.
replenish_candidates as (
    select
        customer_products.customer_id,
        customer_products.product_id,
        'replenish' as reason,
        customer_products.product_id as source_product_id,
        cast(4 as {{ type_double() }}) as score
    from customer_products
    cross join as_of_point
    where
        customer_products.is_replenish_due
        and {{ days_since('customer_products.replenish_due_at') }}
        <= {{ var('segments__recommendation_replenish_window_days') }}
),

bought_together_candidates as (
    select
        customer_products.customer_id,
        associations.partner_product_id as product_id,
        'bought_together' as reason,
        customer_products.product_id as source_product_id,
        3 + associations.lift / (1 + associations.lift) as score
    from customer_products
    inner join associations
        on customer_products.product_id = associations.product_id
        and associations.kind = 'bought_together'
    where customer_products.has_bought
),

viewed_together_candidates as (
    select
        customer_products.customer_id,
        associations.partner_product_id as product_id,
        'viewed_together' as reason,
        customer_products.product_id as source_product_id,
        2 + associations.lift / (1 + associations.lift) as score
    from customer_products
    inner join associations
        on customer_products.product_id = associations.product_id
        and associations.kind = 'viewed_together'
    where customer_products.product_views > 0
),

category_bestseller_candidates as (
    select
        affinity.customer_id,
        bestsellers.product_id,
        'category_bestseller' as reason,
        cast(null as {{ dbt.type_string() }}) as source_product_id,
        1 + 1.0 / (1 + bestsellers.category_rank) as score
    from affinity
    inner join bestsellers
        on coalesce(affinity.top_purchase_category, affinity.top_view_category) = bestsellers.category
    where bestsellers.category_rank <= {{ var('segments__recommendation_candidate_pool') }}
),

store_bestseller_candidates as (
    select
        customers.customer_id,
        bestsellers.product_id,
        'bestseller' as reason,
        cast(null as {{ dbt.type_string() }}) as source_product_id,
        1.0 / (1 + bestsellers.store_rank) as score
    from customers
    cross join bestsellers
    where bestsellers.store_rank <= {{ var('segments__recommendation_candidate_pool') }}
),

candidates as (
    select * from replenish_candidates
    union all
    select * from bought_together_candidates
    union all
    select * from viewed_together_candidates
    union all
    select * from category_bestseller_candidates
    union all
    select * from store_bestseller_candidates
),

judged as (
    select
        candidates.customer_id,
        candidates.product_id,
        candidates.reason,
        candidates.source_product_id,
        candidates.score,
        products.category,
        products.price_band,
        products.price_band_rank,
        products.is_basic_in_category,
        coalesce(customer_products.has_bought, false) as has_bought,
        affinity.usual_price_band_rank,
        coalesce(customer_rfm.rfm_group in {{ sql_list(var('segments__recommendation_basic_variant_groups')) }}, false)
            as gets_basic_variant
    from candidates
    inner join customers
        on candidates.customer_id = customers.customer_id
    inner join {{ ref('int_product_price_bands') }} as products
        on candidates.product_id = products.product_id
    left join customer_products
        on candidates.customer_id = customer_products.customer_id
        and candidates.product_id = customer_products.product_id
    left join affinity
        on candidates.customer_id = affinity.customer_id
    left join customer_rfm
        on candidates.customer_id = customer_rfm.customer_id
),

allowed as (
    select * from judged
    where
        reason = 'replenish'
        or (
            not has_bought
            {%- if max_step_up is not none %}
            and (usual_price_band_rank is null or price_band_rank <= usual_price_band_rank + {{ max_step_up }})
            {%- endif %}
            and (not gets_basic_variant or is_basic_in_category)
        )
),

best_reason as (
    select
        *,
        row_number() over (
            partition by customer_id, product_id
            order by score desc, reason asc, source_product_id asc
        ) as reason_order
    from allowed
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by score desc, product_id asc
        ) as recommendation_rank
    from best_reason
    where reason_order = 1
)

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(recommendation_rank as integer) as recommendation_rank,
    cast(product_id as {{ dbt.type_string() }}) as product_id,
    cast(category as {{ dbt.type_string() }}) as category,
    cast(price_band as {{ dbt.type_string() }}) as price_band,
    cast(reason as {{ dbt.type_string() }}) as reason,
    cast(source_product_id as {{ dbt.type_string() }}) as source_product_id,
    cast(score as {{ type_double() }}) as score
from ranked
where recommendation_rank <= {{ var('segments__recommendation_count') }}
