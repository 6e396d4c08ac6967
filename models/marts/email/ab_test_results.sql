-- One row per A/B test and variant (grain: ab_test_id + variant). The metric of each test comes
-- from the ab_test_metrics seed (else var segments__ab_default_metric): human open, click or placed-order
-- rate over delivered recipients. Every variant is compared with the control (the first variant
-- in label order) by a two-sided pooled two-proportion z-test; the confidence interval of the
-- absolute lift is the unpooled (Wald) interval at 1 - ab_significance_level. A winner needs
-- p < ab_significance_level and both arms at ab_min_sample_size deliveries or more. Variants are
-- each compared with the control, without a multiple-comparison correction.
with

message_performance as (
    select * from {{ ref('email_message_performance') }}
),

test_metrics as (
    select * from {{ ref('ab_test_metrics') }}
),

variants as (
    select
        ab_test_id,
        variant,
        min(campaign_or_flow_name) as campaign_or_flow_name,
        min(subject) as subject,
        min(sent_at) as first_sent_at,
        count(*) as messages,
        max(as_of) as as_of,
        sum(delivered) as delivered,
        sum(unique_human_opens) as unique_human_opens,
        sum(unique_clicks) as unique_clicks,
        sum(attributed_purchasers) as attributed_purchasers
    from message_performance
    where ab_test_id is not null and variant is not null
    group by ab_test_id, variant
),

measured as (
    select
        variants.ab_test_id,
        variants.variant,
        variants.campaign_or_flow_name,
        variants.subject,
        variants.first_sent_at,
        variants.messages,
        variants.as_of,
        coalesce(test_metrics.metric, '{{ var("segments__ab_default_metric") }}') as metric,
        variants.delivered as sample_size,
        case coalesce(test_metrics.metric, '{{ var("segments__ab_default_metric") }}')
            when 'human_open_rate' then variants.unique_human_opens
            when 'click_rate' then variants.unique_clicks
            when 'placed_order_rate' then variants.attributed_purchasers
        end as conversions,
        row_number() over (partition by variants.ab_test_id order by variants.variant) as variant_order
    from variants
    left join test_metrics
        on variants.ab_test_id = test_metrics.ab_test_id
),

controls as (
    select
        ab_test_id,
        variant as control_variant,
        sample_size as control_sample_size,
        conversions as control_conversions
    from measured
    where variant_order = 1
),

with_control as (
    select
        measured.*,
        controls.control_variant,
        controls.control_sample_size,
        controls.control_conversions,
        measured.variant_order = 1 as is_control,
        {{ safe_ratio('measured.conversions', 'measured.sample_size') }} as rate,
        {{ safe_ratio('controls.control_conversions', 'controls.control_sample_size') }} as control_rate
    from measured
    inner join controls
        on measured.ab_test_id = controls.ab_test_id
),

standard_errors as (
    select
        *,
        case
            when not is_control
                then {{ pooled_proportion_standard_error(
                    'rate', 'sample_size', 'control_rate', 'control_sample_size'
                ) }}
        end as pooled_standard_error,
        case
            when not is_control
                then {{ unpooled_proportion_standard_error(
                    'rate', 'sample_size', 'control_rate', 'control_sample_size'
                ) }}
        end as unpooled_standard_error
    from with_control
),

z_scores as (
    select
        *,
        rate - control_rate as lift,
        case
            when pooled_standard_error > 0 then (rate - control_rate) / pooled_standard_error
        end as z_score,
        {{ normal_quantile('1 - ' ~ var('segments__ab_significance_level') ~ ' / 2.0') }} as critical_z
    from standard_errors
),

tested as (
    select
        *,
        {{ two_sided_p_value('z_score') }} as p_value,
        sample_size >= {{ var('segments__ab_min_sample_size') }}
        and control_sample_size >= {{ var('segments__ab_min_sample_size') }} as has_min_sample
    from z_scores
),

judged as (
    select
        *,
        case when not is_control then coalesce(p_value < {{ var('segments__ab_significance_level') }}, false) end
            as is_significant,
        not is_control
        and coalesce(p_value < {{ var('segments__ab_significance_level') }}, false)
        and has_min_sample
        and rate > control_rate as beats_control,
        not is_control
        and coalesce(p_value < {{ var('segments__ab_significance_level') }}, false)
        and has_min_sample
        and rate < control_rate as loses_to_control
    from tested
),

test_outcomes as (
    select
        ab_test_id,
        sum(case when not is_control then 1 else 0 end) as challengers,
        sum(case when loses_to_control then 1 else 0 end) as challengers_losing
    from judged
    group by ab_test_id
),

best_challengers as (
    select
        ab_test_id,
        variant,
        row_number() over (partition by ab_test_id order by rate desc, variant asc) as challenger_rank
    from judged
    where beats_control
),

with_winner as (
    select
        judged.*,
        -- The control wins only when it significantly beats every challenger.
        case
            when judged.is_control
                then (
                    test_outcomes.challengers > 0
                    and test_outcomes.challengers_losing = test_outcomes.challengers
                )
            else coalesce(best_challengers.challenger_rank = 1, false)
        end as is_winner
    from judged
    inner join test_outcomes
        on judged.ab_test_id = test_outcomes.ab_test_id
    left join best_challengers
        on judged.ab_test_id = best_challengers.ab_test_id
        and judged.variant = best_challengers.variant
)

select
    cast(ab_test_id as {{ dbt.type_string() }}) as ab_test_id,
    cast(variant as {{ dbt.type_string() }}) as variant,
    is_control,
    cast(control_variant as {{ dbt.type_string() }}) as control_variant,
    cast(campaign_or_flow_name as {{ dbt.type_string() }}) as campaign_or_flow_name,
    cast(subject as {{ dbt.type_string() }}) as subject,
    cast(first_sent_at as {{ dbt.type_timestamp() }}) as first_sent_at,
    cast(messages as {{ dbt.type_int() }}) as messages,
    cast(metric as {{ dbt.type_string() }}) as metric,
    cast(sample_size as {{ dbt.type_int() }}) as sample_size,
    cast(conversions as {{ dbt.type_int() }}) as conversions,
    cast(rate as {{ type_double() }}) as rate,
    cast(control_sample_size as {{ dbt.type_int() }}) as control_sample_size,
    cast(control_conversions as {{ dbt.type_int() }}) as control_conversions,
    cast(control_rate as {{ type_double() }}) as control_rate,
    cast(case when not is_control then lift end as {{ type_double() }}) as absolute_lift,
    cast(case when not is_control then {{ safe_ratio('lift', 'control_rate') }} end as {{ type_double() }})
        as relative_lift,
    cast(z_score as {{ type_double() }}) as z_score,
    cast(p_value as {{ type_double() }}) as p_value,
    cast(1 - {{ var('segments__ab_significance_level') }} as {{ type_double() }}) as confidence_level,
    cast(lift - critical_z * unpooled_standard_error as {{ type_double() }}) as lift_ci_lower,
    cast(lift + critical_z * unpooled_standard_error as {{ type_double() }}) as lift_ci_upper,
    has_min_sample,
    is_significant,
    is_winner,
    cast(as_of as {{ dbt.type_timestamp() }}) as as_of
from with_winner
