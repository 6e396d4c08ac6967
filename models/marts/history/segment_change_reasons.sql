-- One row per entry into or exit from a segment between two recorded builds (segment_changes):
-- the named conditions that decide the segment as segment_input_history recorded them at the
-- build before the change and at the change's build, with their facts, and which conditions
-- flipped, e.g. "is_purchase_recent true → false: days_since_last_order 88 → 91
-- (purchase_recent_days = 90)", each with the thresholds both builds used
-- (segment_threshold_history). The conditions of a segment come from the macros that build the
-- rules (persona_conditions, the RFM scores, lifecycle_stage_rules, and the custom segment leaves that
-- segment_threshold_history recorded from custom_segment_leaf_conditions), so the reasons follow
-- the definitions instead of restating them.
{%- set condition_facts = dict(persona_condition_facts(), **lifecycle_condition_facts()) %}
{%- set lifecycle_conditions = [] %}
{%- for stage, conditions in lifecycle_stage_rules() %}
{%- for condition in conditions if condition | replace('not ', '') not in lifecycle_conditions %}
{%- do lifecycle_conditions.append(condition | replace('not ', '')) %}
{%- endfor %}
{%- endfor %}
{%- set rfm_scores = ['r_score', 'f_score', 'm_score'] %}
{%- set score_range_name = dbt.concat(['condition_name', "' '", as_text('outcome')]) %}
with

segment_changes as (
    select * from {{ ref('segment_changes') }}
),

input_history as (
    select * from {{ ref('segment_input_history') }}
),

threshold_history as (
    select * from {{ ref('segment_threshold_history') }}
),

changes as (
    select
        customer_id,
        segment_family,
        segment_name,
        'entered' as change,
        entered_at as as_of,
        entered_after as previous_as_of
    from segment_changes
    where is_entry_observed

    union all

    select
        customer_id,
        segment_family,
        segment_name,
        'left' as change,
        exited_at as as_of,
        last_member_at as previous_as_of
    from segment_changes
    where exited_at is not null
),

-- Which rule decides a segment: a persona's own conditions, the RFM scores for every RFM segment
-- and group (the seed maps read the scores), every lifecycle condition for every stage (the first
-- stage that holds wins, so each stage depends on them all), a custom segment's leaves.
keyed_changes as (
    select
        *,
        case
            when segment_family in ('rfm_segment', 'rfm_group') then 'rfm'
            when segment_family = 'lifecycle_stage' then 'lifecycle'
            when segment_family = 'custom' then 'custom'
            else 'persona'
        end as rule_kind,
        case
            when segment_family in ('rfm_segment', 'rfm_group', 'lifecycle_stage') then '*'
            else segment_name
        end as rule_segment
    from changes
),

segment_conditions as (
    {%- for persona_name, flag_column in persona_flag_columns() %}
    {%- for condition in persona_conditions()[flag_column] %}
    select
        'persona' as rule_kind,
        {{ string_literal(persona_name) }} as rule_segment,
        {{ string_literal(condition | replace('not ', '')) }} as condition_name
    union all
    {%- endfor %}
    {%- endfor %}
    -- A custom segment's leaves as the builds recorded them (<segment>.leaf_<n>; a segment name
    -- has no dot), so a segment edited or removed since still has its conditions.
    select distinct
        'custom' as rule_kind,
        substring(threshold_name, 1, {{ dbt.position("'.'", 'threshold_name') }} - 1) as rule_segment,
        threshold_name as condition_name
    from threshold_history
    where {{ dbt.position("'.'", 'threshold_name') }} > 0
    union all
    {%- for condition in lifecycle_conditions %}
    select
        'lifecycle' as rule_kind,
        '*' as rule_segment,
        {{ string_literal(condition) }} as condition_name
    union all
    {%- endfor %}
    {%- for score in rfm_scores %}
    select
        'rfm' as rule_kind,
        '*' as rule_segment,
        {{ string_literal(score) }} as condition_name
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- The thresholds each persona or lifecycle condition compares its fact with
-- (persona_condition_facts, lifecycle_condition_facts).
condition_thresholds as (
    {%- for condition, input in condition_facts.items() %}
    {%- for threshold in input.thresholds %}
    select
        {{ string_literal(condition) }} as condition_name,
        {{ string_literal(threshold) }} as threshold_name
    union all
    {%- endfor %}
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}) as condition_name,
        cast(null as {{ dbt.type_string() }}) as threshold_name
    where 1 = 0
),

change_conditions as (
    select
        keyed_changes.customer_id,
        keyed_changes.segment_family,
        keyed_changes.segment_name,
        keyed_changes.change,
        keyed_changes.as_of,
        keyed_changes.previous_as_of,
        segment_conditions.condition_name
    from keyed_changes
    left join segment_conditions
        on keyed_changes.rule_kind = segment_conditions.rule_kind
        and keyed_changes.rule_segment = segment_conditions.rule_segment
),

-- Each change seen from its two builds: the one before it and its own.
change_points as (
    select
        *,
        'before' as side,
        previous_as_of as point_as_of
    from change_conditions

    union all

    select
        *,
        'after' as side,
        as_of as point_as_of
    from change_conditions
),

-- A condition at a build is its latest recorded row at or before it (only changes are stored).
ranked_states as (
    select
        change_points.*,
        input_history.outcome,
        input_history.fact_name,
        input_history.fact_value,
        input_history.fact_kind,
        row_number() over (
            partition by
                change_points.customer_id, change_points.segment_family, change_points.segment_name,
                change_points.change, change_points.as_of, change_points.condition_name, change_points.side
            order by input_history.as_of desc
        ) as recency_rank
    from change_points
    left join input_history
        on change_points.customer_id = input_history.customer_id
        and change_points.condition_name = input_history.condition_name
        and change_points.point_as_of >= input_history.as_of
),

states as (
    select
        *,
        case
            when fact_kind = 'days_since' then {{ as_text(days_since(
                'cast(fact_value as ' ~ dbt.type_timestamp() ~ ')', 'point_as_of'
            )) }}
            else coalesce(fact_value, 'none')
        end as fact_shown,
        -- An RFM score's threshold is the range of the score it has at that build.
        case
            when condition_name in ('r_score', 'f_score', 'm_score') then {{ score_range_name }}
            else condition_name
        end as own_threshold_name
    from ranked_states
    where recency_rank = 1
),

-- The thresholds of each condition at each build, as that build recorded them.
state_thresholds as (
    select
        states.customer_id,
        states.segment_family,
        states.segment_name,
        states.change,
        states.as_of,
        states.condition_name,
        states.side,
        {{ ordered_listagg(
            "case when threshold_history.threshold_name = states.condition_name then threshold_history.threshold_value
            else " ~ dbt.concat(['threshold_history.threshold_name', "' = '", 'threshold_history.threshold_value']) ~ " end",
            "', '",
            "threshold_history.threshold_name"
        ) }} as thresholds_shown
    from states
    left join condition_thresholds
        on states.condition_name = condition_thresholds.condition_name
    inner join threshold_history
        on states.point_as_of = threshold_history.as_of
        and coalesce(condition_thresholds.threshold_name, states.own_threshold_name) = threshold_history.threshold_name
    group by
        states.customer_id, states.segment_family, states.segment_name, states.change, states.as_of,
        states.condition_name, states.side
),

condition_changes as (
    select
        states.customer_id,
        states.segment_family,
        states.segment_name,
        states.change,
        states.as_of,
        states.previous_as_of,
        states.condition_name,
        max(states.fact_name) as fact_name,
        max(case when states.side = 'before' then coalesce(states.outcome, 'none') end) as outcome_before,
        max(case when states.side = 'after' then coalesce(states.outcome, 'none') end) as outcome_after,
        max(case when states.side = 'before' then states.fact_shown end) as fact_before,
        max(case when states.side = 'after' then states.fact_shown end) as fact_after,
        max(case when states.side = 'before' then state_thresholds.thresholds_shown end) as thresholds_before,
        max(case when states.side = 'after' then state_thresholds.thresholds_shown end) as thresholds_after
    from states
    left join state_thresholds
        on states.customer_id = state_thresholds.customer_id
        and states.segment_family = state_thresholds.segment_family
        and states.segment_name = state_thresholds.segment_name
        and states.change = state_thresholds.change
        and states.as_of = state_thresholds.as_of
        and states.condition_name = state_thresholds.condition_name
        and states.side = state_thresholds.side
    group by
        states.customer_id, states.segment_family, states.segment_name, states.change, states.as_of,
        states.previous_as_of, states.condition_name
),

described as (
    select
        *,
        outcome_before <> outcome_after as is_flipped,
        {{ dbt.concat([
            'condition_name', "'='", 'outcome_before', "' ('", "coalesce(fact_name, 'none')", "' '",
            "coalesce(fact_before, 'none')", "')'",
        ]) }} as described_before,
        {{ dbt.concat([
            'condition_name', "'='", 'outcome_after', "' ('", "coalesce(fact_name, 'none')", "' '",
            "coalesce(fact_after, 'none')", "')'",
        ]) }} as described_after,
        {{ dbt.concat([
            'condition_name', "' '", 'outcome_before', "' → '", 'outcome_after', "': '",
            "coalesce(fact_name, 'none')", "' '", "coalesce(fact_before, 'none')", "' → '",
            "coalesce(fact_after, 'none')",
            "case
                when thresholds_before is null and thresholds_after is null then ''
                when thresholds_before = thresholds_after then " ~ dbt.concat(["' ('", 'thresholds_after', "')'"]) ~ "
                else " ~ dbt.concat([
                    "' ('", "coalesce(thresholds_before, 'none')", "' → '", "coalesce(thresholds_after, 'none')", "')'"
                ]) ~ "
            end",
        ]) }} as described_flip
    from condition_changes
),

recorded_builds as (
    select distinct as_of from threshold_history
),

reasons as (
    select
        customer_id,
        segment_family,
        segment_name,
        change,
        as_of,
        previous_as_of,
        {{ ordered_listagg('case when is_flipped then described_flip end', "'; '", 'condition_name') }} as flipped,
        sum(case when is_flipped then 1 else 0 end) as conditions_flipped,
        {{ ordered_listagg('described_before', "'; '", 'condition_name') }} as facts_before,
        {{ ordered_listagg('described_after', "'; '", 'condition_name') }} as facts_after
    from described
    group by customer_id, segment_family, segment_name, change, as_of, previous_as_of
)

select
    cast(reasons.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(reasons.segment_family as {{ dbt.type_string() }}) as segment_family,
    cast(reasons.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(reasons.change as {{ dbt.type_string() }}) as change,
    cast(reasons.as_of as {{ dbt.type_timestamp() }}) as as_of,
    cast(reasons.previous_as_of as {{ dbt.type_timestamp() }}) as previous_as_of,
    cast(reasons.flipped as {{ dbt.type_string() }}) as flipped,
    cast(reasons.conditions_flipped as {{ dbt.type_int() }}) as conditions_flipped,
    cast(reasons.facts_before as {{ dbt.type_string() }}) as facts_before,
    cast(reasons.facts_after as {{ dbt.type_string() }}) as facts_after,
    recorded_before.as_of is not null and recorded_after.as_of is not null as inputs_recorded
from reasons
left join recorded_builds as recorded_before
    on reasons.previous_as_of = recorded_before.as_of
left join recorded_builds as recorded_after
    on reasons.as_of = recorded_after.as_of
