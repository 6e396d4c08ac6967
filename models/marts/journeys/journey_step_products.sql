-- One row per journey_queue row and product its email shows (grain: customer_id, journey,
-- trigger_key, product_rank; ranks 1..N without gaps, N <= recommendation_count):
--   abandoned_cart      the products added to cart in the session, last added first (cart); a
--                       session without one (its add-to-cart events quarantined, or a checkout
--                       started from a product page) shows its viewed products (viewed)
--   browse_abandonment  the products viewed in the session, last viewed first (viewed)
--   replenishment       the product to replenish (replenish)
--   welcome, vip, winback, rfm_retention, anniversary  the customer's customer_recommendations,
--                       in their order
--   cross_sell          the trigger order's bought-together partners not bought by as_of, best
--                       lift first (bought_together)
-- Session products are counted site events (tracking consent). Birthday emails carry no products.
-- Every other step shows products: one left with none (a customer who bought every product of
-- their price band has no recommendations) shows the store's bestsellers of the long window, the
-- ones not bought first (bestseller). A customer held out of a journey (holdout_group holdout:
-- status holdout, or exited) gets none for it: that email is never sent, so nothing a sender
-- reads composes it.
with

journey_queue as (
    select * from {{ ref('journey_queue') }}
    where holdout_group = 'treated'
),

counted_events as (
    select * from {{ ref('int_site_events_counted') }}
    where
        is_counted
        and product_id is not null
),

recommendations as (
    select * from {{ ref('customer_recommendations') }}
),

order_products as (
    select * from {{ ref('int_order_products') }}
),

associations as (
    select * from {{ ref('product_associations') }}
),

customer_products as (
    select * from {{ ref('int_customer_products') }}
    where has_bought
),

long_window_performance as (
    select * from {{ ref('product_performance') }}
    where window_name = 'long'
),

session_products as (
    select
        session_id,
        product_id,
        case when event_type = 'add_to_cart' then 'abandoned_cart' else 'browse_abandonment' end as journey,
        max(occurred_at) as last_event_at
    from counted_events
    where event_type in ('add_to_cart', 'product_view')
    group by
        session_id,
        product_id,
        case when event_type = 'add_to_cart' then 'abandoned_cart' else 'browse_abandonment' end
),

-- An abandoned cart reads its session's cart and viewed products, a browse abandonment its
-- viewed products; has_cart_products says whether the cart list is there to show.
session_candidates as (
    select
        journey_queue.customer_id,
        journey_queue.journey,
        journey_queue.trigger_key,
        session_products.product_id,
        session_products.last_event_at,
        case when session_products.journey = 'abandoned_cart' then 'cart' else 'viewed' end as reason,
        max(case when session_products.journey = 'abandoned_cart' then 1 else 0 end) over (
            partition by journey_queue.customer_id, journey_queue.journey, journey_queue.trigger_key
        ) as has_cart_products
    from journey_queue
    inner join session_products
        on journey_queue.trigger_key = session_products.session_id
        and (
            journey_queue.journey = 'abandoned_cart'
            or journey_queue.journey = session_products.journey
        )
    where journey_queue.journey in ('abandoned_cart', 'browse_abandonment')
),

session_step_products as (
    select
        customer_id,
        journey,
        trigger_key,
        product_id,
        reason,
        row_number() over (
            partition by customer_id, journey, trigger_key
            order by last_event_at desc, product_id asc
        ) as product_rank
    from session_candidates
    where
        journey = 'browse_abandonment'
        or reason = 'cart'
        or has_cart_products = 0
),

replenish_step_products as (
    select
        customer_id,
        journey,
        trigger_key,
        branch as product_id,
        'replenish' as reason,
        1 as product_rank
    from journey_queue
    where journey = 'replenishment'
),

recommended_step_products as (
    select
        journey_queue.customer_id,
        journey_queue.journey,
        journey_queue.trigger_key,
        recommendations.product_id,
        recommendations.reason,
        recommendations.recommendation_rank as product_rank
    from journey_queue
    inner join recommendations
        on journey_queue.customer_id = recommendations.customer_id
    where journey_queue.journey in ('welcome', 'vip', 'winback', 'rfm_retention', 'anniversary')
),

cross_sell_order_products as (
    -- A cross-sell row's trigger_key is the order it follows.
    select order_products.*
    from journey_queue
    inner join order_products
        on journey_queue.customer_id = order_products.customer_id
        and journey_queue.trigger_key = order_products.order_id
    where journey_queue.journey = 'cross_sell'
),

cross_sell_partners as (
    {{ order_partner_products('cross_sell_order_products', 'associations') }}
),

cross_sell_step_products as (
    select
        cross_sell_partners.customer_id,
        'cross_sell' as journey,
        cross_sell_partners.order_id as trigger_key,
        cross_sell_partners.product_id,
        'bought_together' as reason,
        row_number() over (
            partition by cross_sell_partners.customer_id, cross_sell_partners.order_id
            order by
                cross_sell_partners.lift desc,
                cross_sell_partners.pair_baskets desc,
                cross_sell_partners.product_id asc
        ) as product_rank
    from cross_sell_partners
    left join customer_products
        on cross_sell_partners.customer_id = customer_products.customer_id
        and cross_sell_partners.product_id = customer_products.product_id
    where customer_products.customer_id is null
),

own_step_products as (
    select * from session_step_products
    where product_rank <= {{ var('segments__recommendation_count') }}
    union all
    select * from replenish_step_products
    union all
    select * from recommended_step_products
    union all
    select * from cross_sell_step_products
    where product_rank <= {{ var('segments__recommendation_count') }}
),

steps_with_products as (
    select distinct
        customer_id,
        journey,
        trigger_key
    from own_step_products
),

steps_without_products as (
    select
        journey_queue.customer_id,
        journey_queue.journey,
        journey_queue.trigger_key
    from journey_queue
    left join steps_with_products
        on journey_queue.customer_id = steps_with_products.customer_id
        and journey_queue.journey = steps_with_products.journey
        and journey_queue.trigger_key = steps_with_products.trigger_key
    where
        journey_queue.journey <> 'birthday'
        and steps_with_products.customer_id is null
),

-- The pool bounds the fallback's join; a customer who bought every product in it gets the
-- bestsellers anyway, as the last resort.
store_bestsellers as (
    select
        product_id,
        store_rank
    from long_window_performance
    where store_rank <= {{ var('segments__recommendation_candidate_pool') }}
),

bestseller_step_products as (
    select
        steps_without_products.customer_id,
        steps_without_products.journey,
        steps_without_products.trigger_key,
        store_bestsellers.product_id,
        'bestseller' as reason,
        row_number() over (
            partition by
                steps_without_products.customer_id,
                steps_without_products.journey,
                steps_without_products.trigger_key
            order by
                case when customer_products.product_id is null then 0 else 1 end,
                store_bestsellers.store_rank,
                store_bestsellers.product_id
        ) as product_rank
    from steps_without_products
    cross join store_bestsellers
    left join customer_products
        on steps_without_products.customer_id = customer_products.customer_id
        and store_bestsellers.product_id = customer_products.product_id
),

step_products as (
    select * from own_step_products
    union all
    select * from bestseller_step_products
    where product_rank <= {{ var('segments__recommendation_count') }}
)

select
    cast(customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(journey as {{ dbt.type_string() }}) as journey,
    cast(trigger_key as {{ dbt.type_string() }}) as trigger_key,
    cast(product_rank as integer) as product_rank,
    cast(product_id as {{ dbt.type_string() }}) as product_id,
    cast(reason as {{ dbt.type_string() }}) as reason
from step_products
