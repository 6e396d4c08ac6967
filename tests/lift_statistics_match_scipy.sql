-- The statistics of journey_lift (and ab_test_results) on fixed inputs against scipy: returns
-- every case further from scipy's value than its tolerance. Expected values computed once with
-- scipy 1.x in the project's venv and pasted here:
--   two proportions, 30 of 100 against 10 of 100: pooled se = sqrt(p(1-p)(1/100 + 1/100)) with
--   p = 0.2; p-value = 2 * scipy.stats.norm.sf(0.2 / se) (equal to
--   scipy.stats.chi2_contingency([[30, 70], [10, 90]], correction=False) p); unpooled se =
--   sqrt(0.3 * 0.7 / 100 + 0.1 * 0.9 / 100), bounds 0.2 -/+ scipy.stats.norm.ppf(0.975) * se.
--   Wilson bounds: scipy.stats.binomtest(30, 100).proportion_ci(0.95, 'wilson') (and 10 of 100);
--   Newcombe (method 10): 0.2 -/+ sqrt((0.3 - l1)^2 + (u2 - 0.1)^2) from those scipy bounds.
--   Welch, variances 400 (n 50) and 100 (n 20): se = sqrt(400/50 + 100/20), Welch-Satterthwaite
--   df, scipy.stats.t.ppf(0.975, df) * se; t quantiles: scipy.stats.t.ppf(0.975, df).
-- The t quantile is an approximation (macro student_t_quantile): its tolerance is its measured
-- relative error at that df, the others' is 1e-12.
with

critical as (
    select {{ normal_quantile('0.975') }} as z
),

cases as (
    select
        'pooled standard error' as case_name,
        {{ pooled_proportion_standard_error('0.3', '100', '0.1', '100') }} as actual,
        0.05656854249492381 as expected,
        1e-12 as tolerance
    union all
    select
        'two-sided p-value of the pooled z',
        {{ two_sided_p_value('0.2 / ' ~ pooled_proportion_standard_error('0.3', '100', '0.1', '100')) }},
        0.00040695201744495973,
        1e-12
    union all
    select
        'unpooled standard error',
        {{ unpooled_proportion_standard_error('0.3', '100', '0.1', '100') }},
        0.05477225575051661,
        1e-12
    union all
    select
        'lower bound of the conversion lift',
        0.2 - critical.z * {{ unpooled_proportion_standard_error('0.3', '100', '0.1', '100') }},
        0.09264835137697056,
        1e-12
    from critical
    union all
    select
        'Wilson lower bound, 30 of 100',
        {{ wilson_bound('0.3', '100', 'critical.z', 'lower') }},
        0.21894885294932764,
        1e-12
    from critical
    union all
    select
        'Wilson upper bound, 10 of 100',
        {{ wilson_bound('0.1', '100', 'critical.z', 'upper') }},
        0.17436566150491345,
        1e-12
    from critical
    union all
    select
        'Newcombe lower bound',
        {{ newcombe_bound('0.3', wilson_bound('0.3', '100', 'critical.z', 'lower'), wilson_bound('0.3', '100', 'critical.z', 'upper'),
            '0.1', wilson_bound('0.1', '100', 'critical.z', 'lower'), wilson_bound('0.1', '100', 'critical.z', 'upper'), 'lower') }},
        0.09000209070489987,
        1e-12
    from critical
    union all
    select
        'Newcombe upper bound',
        {{ newcombe_bound('0.3', wilson_bound('0.3', '100', 'critical.z', 'lower'), wilson_bound('0.3', '100', 'critical.z', 'upper'),
            '0.1', wilson_bound('0.1', '100', 'critical.z', 'lower'), wilson_bound('0.1', '100', 'critical.z', 'upper'), 'upper') }},
        0.30578929058543936,
        1e-12
    from critical
    union all
    select
        'Welch standard error',
        {{ welch_standard_error('400.0', '50', '100.0', '20') }},
        3.605551275463989,
        1e-12
    union all
    select
        'Welch-Satterthwaite degrees of freedom',
        {{ welch_degrees_of_freedom('400.0', '50', '100.0', '20') }},
        64.45678000819336,
        1e-9
    union all
    select
        'Welch half-width at 95%',
        {{ student_t_quantile('critical.z', welch_degrees_of_freedom('400.0', '50', '100.0', '20')) }}
        * {{ welch_standard_error('400.0', '50', '100.0', '20') }},
        7.201933765164879,
        7.201933765164879 * 1e-7
    from critical
    union all
    select 't quantile, df 5', {{ student_t_quantile('critical.z', '5') }}, 2.5705818356363146, 2.5705818356363146 * 1.1e-4
    from critical
    union all
    select 't quantile, df 10', {{ student_t_quantile('critical.z', '10') }}, 2.228138851986274, 2.228138851986274 * 3.6e-6
    from critical
    union all
    select 't quantile, df 30', {{ student_t_quantile('critical.z', '30') }}, 2.0422724563012378, 2.0422724563012378 * 2e-8
    from critical
    union all
    select 't quantile, df 1000', {{ student_t_quantile('critical.z', '1000') }}, 1.9623390808264083, 1e-12
    from critical
)

select *
from cases
where actual is null or abs(actual - expected) > tolerance
