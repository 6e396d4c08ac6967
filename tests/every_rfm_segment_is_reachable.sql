-- Every segment of rfm_segment_map is the first match of at least one of the 125 score cells
-- (R, F, M in 1..5), under the same first-match rule customer_rfm applies. A rule placed after
-- a broader one that contains it can never be assigned; returns such rules.
with

segment_rules as (
    select * from {{ ref('rfm_segment_map') }}
),

score_values as (
    select 1 as score
    union all
    select 2 as score
    union all
    select 3 as score
    union all
    select 4 as score
    union all
    select 5 as score
),

-- first_matching_rule ranks the rules per customer_id: here one "customer" per cell.
cells as (
    select
        100 * r.score + 10 * f.score + m.score as customer_id,
        r.score as r_score,
        f.score as f_score,
        m.score as m_score
    from score_values as r
    cross join score_values as f
    cross join score_values as m
),

matches as (
    {{ first_matching_rule('cells', 'segment_rules', 'segment_name') }}
),

assigned_segments as (
    select distinct segment_name
    from matches
    where match_order = 1
)

select
    segment_rules.priority,
    segment_rules.segment_name
from segment_rules
left join assigned_segments
    on segment_rules.segment_name = assigned_segments.segment_name
where assigned_segments.segment_name is null
