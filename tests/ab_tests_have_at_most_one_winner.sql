-- An A/B test has at most one winning arm. Returns the tests with more.
with

ab_test_results as (
    select * from {{ ref('ab_test_results') }}
)

select
    ab_test_id,
    count(*) as winners
from ab_test_results
where is_winner
group by ab_test_id
having count(*) > 1
