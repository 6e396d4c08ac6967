-- Each customer's recommendations are ranked 1..N without gaps, N at most recommendation_count.
-- Returns the customers whose ranks break this.
with

recommendations as (
    select * from {{ ref('customer_recommendations') }}
)

select
    customer_id,
    min(recommendation_rank) as first_rank,
    max(recommendation_rank) as last_rank,
    count(*) as recommendations
from recommendations
group by customer_id
having
    min(recommendation_rank) <> 1
    or max(recommendation_rank) <> count(*)
    or count(*) > {{ var('segments__recommendation_count') }}
