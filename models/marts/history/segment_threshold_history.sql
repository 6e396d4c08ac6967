-- One row per build as_of and threshold the segment rules compared facts with at that build:
-- the vars the persona and lifecycle conditions read (high_aov_threshold as resolved: the var, or the store
-- AOV), the range of recency, frequency and monetary each RFM score covered (rank-based, so they
-- move with the store), and each custom segment leaf's rule as the build compiled it. A reason
-- between two builds states the threshold of each. Every build is recorded whole (a few dozen
-- rows). Incremental by as_of like segment_history, forward only, never fully refreshed.
{%- set segments = custom_segment_definitions() %}
{%- set leaves = custom_segment_leaf_conditions(segments) %}
{%- set var_values = {
    'engaged_frequent_min': var('segments__engaged_frequent_min'),
    'engaged_recent_days': var('segments__engaged_recent_days'),
    'espresso_recent_days': var('segments__espresso_recent_days'),
    'passing_through_min_days': var('segments__passing_through_min_days'),
    'profile_min_age_days': var('segments__profile_min_age_days'),
    'purchase_frequent_min': var('segments__purchase_frequent_min'),
    'purchase_lapsed_max_days': var('segments__purchase_lapsed_max_days'),
    'purchase_recent_days': var('segments__purchase_recent_days'),
    'vip_min_order_value': var('segments__vip_min_order_value'),
    'vip_min_orders': var('segments__vip_min_orders'),
    'vip_single_order_window_days': var('segments__vip_single_order_window_days'),
    'vip_window_days': var('segments__vip_window_days'),
} %}
{#- Every threshold a persona or lifecycle condition names is recorded: a new one must be added above. #}
{%- for condition, input in (persona_condition_facts().items() | list) + (lifecycle_condition_facts().items() | list) %}
{%- for name in input.thresholds if name != 'high_aov_threshold' and name not in var_values %}
{{ exceptions.raise_compiler_error(
    "segment_threshold_history: condition " ~ condition ~ " reads var " ~ name ~ ", which it does not record") }}
{%- endfor %}
{%- endfor %}
{{ config(**history_config()) }}
with

persona_flags as (
    select * from {{ ref('int_customer_persona_flags') }}
),

customer_rfm as (
    select * from {{ ref('customer_rfm') }}
),

as_of_point as (
    select as_of from {{ ref('int_as_of') }}
),

var_thresholds as (
    {%- for name, value in var_values.items() %}
    select
        {{ string_literal(name) }} as threshold_name,
        {#- A null var (vip_single_order_window_days: any time) is recorded as none. #}
        {{ string_literal('none' if value is none else value | string) }} as threshold_value
    union all
    {%- endfor %}
    select
        'high_aov_threshold' as threshold_name,
        {{ as_text('max(high_aov_threshold)') }} as threshold_value
    from persona_flags
),

score_ranges as (
    {%- for score, fact in [('r_score', 'recency_days'), ('f_score', 'frequency'), ('m_score', 'monetary')] %}
    {%- if not loop.first %}

    union all
    {%- endif %}

    select
        {{ dbt.concat([string_literal(score ~ ' '), as_text(score)]) }} as threshold_name,
        {{ dbt.concat([
            string_literal(fact ~ ' '), as_text('min(' ~ fact ~ ')'), "' to '", as_text('max(' ~ fact ~ ')')
        ]) }} as threshold_value
    from customer_rfm
    group by {{ score }}
    {%- endfor %}
),

leaf_rules as (
    {%- for leaf in leaves %}
    select
        {{ string_literal(leaf.name) }} as threshold_name,
        {{ string_literal(leaf.rule) }} as threshold_value
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as threshold_name,
        cast(null as {{ dbt.type_string() }}) as threshold_value
    where 1 = 0
    {%- endfor %}
),

thresholds as (
    select * from var_thresholds
    union all
    select * from score_ranges
    union all
    select * from leaf_rules
)

select
    cast(as_of_point.as_of as {{ dbt.type_timestamp() }}) as as_of,
    cast(thresholds.threshold_name as {{ dbt.type_string() }}) as threshold_name,
    cast(thresholds.threshold_value as {{ dbt.type_string() }}) as threshold_value
from thresholds
cross join as_of_point
{{ records_only_forward() }}
