{#
    The standard normal distribution in portable SQL (abs, exp, ln, sqrt and arithmetic only), for
    the two-proportion z-test of ab_test_results. No engine function and no Python is involved.

    normal_upper_tail(x) = P(Z > |x|) = Phi(-|x|), computed directly (not as 1 - Phi) so that small
    p-values keep their precision. Algorithm: Hart et al. (1968), "Computer Approximations",
    algorithm 5666, in the double-precision form given by G. West (2005), "Better approximations
    to cumulative normal functions", Wilmott Magazine, figure 2: a rational function times
    exp(-x^2/2) for |x| < 7.07106781186547, a five-term continued fraction beyond, 0 beyond 37.
    Measured against scipy.stats.norm.sf on 200,001 points in [-40, 40]: absolute error below 2e-16.
#}
{% macro normal_upper_tail(x) -%}
    {%- set ax = 'abs(cast(' ~ x ~ ' as ' ~ type_double() ~ '))' -%}
    case
        when {{ ax }} > 37 then 0.0
        when {{ ax }} < 7.07106781186547
            then exp(-{{ ax }} * {{ ax }} / 2.0)
            * ((((((0.0352624965998911 * {{ ax }} + 0.700383064443688) * {{ ax }}
            + 6.37396220353165) * {{ ax }} + 33.912866078383) * {{ ax }}
            + 112.079291497871) * {{ ax }} + 221.213596169931) * {{ ax }} + 220.206867912376)
            / (((((((0.0883883476483184 * {{ ax }} + 1.75566716318264) * {{ ax }}
            + 16.064177579207) * {{ ax }} + 86.7807322029461) * {{ ax }}
            + 296.564248779674) * {{ ax }} + 637.333633378831) * {{ ax }}
            + 793.826512519948) * {{ ax }} + 440.413735824752)
        else exp(-{{ ax }} * {{ ax }} / 2.0)
            / ({{ ax }} + 1.0 / ({{ ax }} + 2.0 / ({{ ax }} + 3.0 / ({{ ax }} + 4.0 / ({{ ax }} + 0.65)))))
            / 2.506628274631
    end
{%- endmacro %}

{# Phi(x) = P(Z <= x), from the upper tail above. #}
{% macro normal_cdf(x) -%}
    case
        when {{ x }} > 0 then 1.0 - {{ normal_upper_tail(x) }}
        else {{ normal_upper_tail(x) }}
    end
{%- endmacro %}

{# Two-sided p-value of a z statistic: 2 * P(Z > |z|). #}
{% macro two_sided_p_value(z) -%}
    2.0 * {{ normal_upper_tail(z) }}
{%- endmacro %}

{#
    The quantile Phi^-1(p) for 0 < p < 1 (used for the z of a confidence interval). Algorithm:
    M. J. Wichura (1988), "Algorithm AS 241: The percentage points of the normal distribution",
    Applied Statistics 37(3), 477-484, PPND16 (accurate to about 1e-16). Measured against
    scipy.stats.norm.ppf on [1e-12, 1 - 1e-12]: absolute error below 4e-15.
#}
{% macro normal_quantile(p) -%}
    {%- set q = '(cast(' ~ p ~ ' as ' ~ type_double() ~ ') - 0.5)' -%}
    {%- set tail_p = '(case when ' ~ q ~ ' < 0 then cast(' ~ p ~ ' as ' ~ type_double() ~ ') else 1.0 - cast('
        ~ p ~ ' as ' ~ type_double() ~ ') end)' -%}
    {%- set r_central = '(0.180625 - ' ~ q ~ ' * ' ~ q ~ ')' -%}
    {%- set r_tail = 'sqrt(-ln(' ~ tail_p ~ '))' -%}
    {%- set r_near = '(' ~ r_tail ~ ' - 1.6)' -%}
    {%- set r_far = '(' ~ r_tail ~ ' - 5.0)' -%}
    case
        when abs({{ q }}) <= 0.425
            then {{ q }} * (((((((2509.0809287301226727 * {{ r_central }} + 33430.575583588128105)
            * {{ r_central }} + 67265.770927008700853) * {{ r_central }} + 45921.953931549871457)
            * {{ r_central }} + 13731.693765509461125) * {{ r_central }} + 1971.5909503065514427)
            * {{ r_central }} + 133.14166789178437745) * {{ r_central }} + 3.387132872796366608)
            / (((((((5226.495278852545925 * {{ r_central }} + 28729.085735721942674)
            * {{ r_central }} + 39307.89580009271061) * {{ r_central }} + 21213.794301586595867)
            * {{ r_central }} + 5394.1960214247511077) * {{ r_central }} + 687.1870074920579083)
            * {{ r_central }} + 42.313330701600911252) * {{ r_central }} + 1.0)
        else sign({{ q }}) * case
            when {{ r_tail }} <= 5.0
                then (((((((0.00077454501427834140764 * {{ r_near }} + 0.0227238449892691845833)
                * {{ r_near }} + 0.24178072517745061177) * {{ r_near }} + 1.27045825245236838258)
                * {{ r_near }} + 3.64784832476320460504) * {{ r_near }} + 5.7694972214606914055)
                * {{ r_near }} + 4.6303378461565452959) * {{ r_near }} + 1.42343711074968357734)
                / (((((((0.00000000105075007164441684324 * {{ r_near }} + 0.0005475938084995344946)
                * {{ r_near }} + 0.0151986665636164571966) * {{ r_near }} + 0.14810397642748007459)
                * {{ r_near }} + 0.68976733498510000455) * {{ r_near }} + 1.6763848301838038494)
                * {{ r_near }} + 2.05319162663775882187) * {{ r_near }} + 1.0)
            else (((((((0.000000201033439929228813265 * {{ r_far }} + 0.0000271155556874348757815)
                * {{ r_far }} + 0.0012426609473880784386) * {{ r_far }} + 0.026532189526576123093)
                * {{ r_far }} + 0.29656057182850489123) * {{ r_far }} + 1.7848265399172913358)
                * {{ r_far }} + 5.4637849111641143699) * {{ r_far }} + 6.6579046435011037772)
                / (((((((0.00000000000000204426310338993978564 * {{ r_far }}
                + 0.00000014215117583164458887) * {{ r_far }} + 0.000018463183175100546818)
                * {{ r_far }} + 0.0007868691311456132591) * {{ r_far }} + 0.0148753612908506148525)
                * {{ r_far }} + 0.13692988092273580531) * {{ r_far }} + 0.59983220655588793769)
                * {{ r_far }} + 1.0)
        end
    end
{%- endmacro %}

{#
    The two-proportion tests of ab_test_results and journey_lift: rates rate_a and rate_b over
    n_a and n_b units. pooled: the standard error of the difference under the null hypothesis
    (one pooled rate), for the z statistic and p-value; unpooled: the Wald standard error, for
    the confidence interval of the difference. NULL when either n is 0.
#}
{% macro pooled_proportion_standard_error(rate_a, n_a, rate_b, n_b) -%}
    case
        when {{ n_a }} > 0 and {{ n_b }} > 0
            then sqrt(
                (({{ rate_a }}) * ({{ n_a }}) + ({{ rate_b }}) * ({{ n_b }})) / (({{ n_a }}) + ({{ n_b }}))
                * (1 - (({{ rate_a }}) * ({{ n_a }}) + ({{ rate_b }}) * ({{ n_b }})) / (({{ n_a }}) + ({{ n_b }})))
                * (1.0 / ({{ n_a }}) + 1.0 / ({{ n_b }}))
            )
    end
{%- endmacro %}

{% macro unpooled_proportion_standard_error(rate_a, n_a, rate_b, n_b) -%}
    case
        when {{ n_a }} > 0 and {{ n_b }} > 0
            then sqrt(
                ({{ rate_a }}) * (1 - ({{ rate_a }})) / ({{ n_a }})
                + ({{ rate_b }}) * (1 - ({{ rate_b }})) / ({{ n_b }})
            )
    end
{%- endmacro %}

{#
    Welch's unequal-variances comparison of two means, from each group's sample variance
    (var_a, var_b) and size (n_a, n_b): the standard error of the difference and the
    Welch-Satterthwaite degrees of freedom. NULL when a group has fewer than 2 units (or, for the
    degrees of freedom, both variances are 0).
#}
{% macro welch_standard_error(var_a, n_a, var_b, n_b) -%}
    case
        when {{ n_a }} > 1 and {{ n_b }} > 1
            then sqrt(({{ var_a }}) / ({{ n_a }}) + ({{ var_b }}) / ({{ n_b }}))
    end
{%- endmacro %}

{% macro welch_degrees_of_freedom(var_a, n_a, var_b, n_b) -%}
    {#- In double: Spark computes a decimal literal's ratios in decimal, rounded to 6 places. -#}
    {%- set share_a = '(cast(' ~ var_a ~ ' as ' ~ type_double() ~ ') / (' ~ n_a ~ '))' -%}
    {%- set share_b = '(cast(' ~ var_b ~ ' as ' ~ type_double() ~ ') / (' ~ n_b ~ '))' -%}
    case
        when {{ n_a }} > 1 and {{ n_b }} > 1 and {{ share_a }} + {{ share_b }} > 0
            then ({{ share_a }} + {{ share_b }}) * ({{ share_a }} + {{ share_b }})
            / ({{ share_a }} * {{ share_a }} / (({{ n_a }}) - 1) + {{ share_b }} * {{ share_b }} / (({{ n_b }}) - 1))
    end
{%- endmacro %}

{#
    The quantile of Student's t with df degrees of freedom at p in (0.5, 1) (the upper critical
    value of an interval), from z = the normal quantile at the same p (macro normal_quantile, passed
    as a column or value so that its long expression is computed once). Cornish-Fisher expansion around the normal quantile, four terms in
    1/df: Abramowitz and Stegun (1964), "Handbook of Mathematical Functions", 26.7.5. Measured
    against scipy.stats.t.ppf at p = 0.975 on df in [5, 1e6]: relative error below 1.1e-4
    (below 3.6e-6 from df = 10, 1.6e-8 from df = 30); at df = 2 it is 0.7%, at df = 1 11%, so
    use it where each group has at least a few units (journey_lift flags small groups).
#}
{% macro student_t_quantile(z, df) -%}
    {%- set z = '(' ~ z ~ ')' -%}
    {%- set v = '(cast(' ~ df ~ ' as ' ~ type_double() ~ '))' -%}
    ({{ z }}
        + ({{ z }} * {{ z }} * {{ z }} + {{ z }}) / 4.0 / {{ v }}
        + (5 * power({{ z }}, 5) + 16 * power({{ z }}, 3) + 3 * {{ z }}) / 96.0 / ({{ v }} * {{ v }})
        + (3 * power({{ z }}, 7) + 19 * power({{ z }}, 5) + 17 * power({{ z }}, 3) - 15 * {{ z }})
        / 384.0 / power({{ v }}, 3)
        + (79 * power({{ z }}, 9) + 776 * power({{ z }}, 7) + 1482 * power({{ z }}, 5)
            - 1920 * power({{ z }}, 3) - 945 * {{ z }}) / 92160.0 / power({{ v }}, 4))
{%- endmacro %}

{#
    The Wilson score interval of a proportion `rate` over n units at critical value z (NULL when
    n is 0): Wilson (1927). Its bounds feed Newcombe's interval below.
#}
{% macro wilson_bound(rate, n, z, side) -%}
    {%- set sign = '-' if side == 'lower' else '+' -%}
    case
        when {{ n }} > 0
            then (
                ({{ rate }}) + ({{ z }}) * ({{ z }}) / (2.0 * ({{ n }}))
                {{ sign }} ({{ z }}) * sqrt(
                    ({{ rate }}) * (1 - ({{ rate }})) / ({{ n }})
                    + ({{ z }}) * ({{ z }}) / (4.0 * ({{ n }}) * ({{ n }}))
                )
            ) / (1 + ({{ z }}) * ({{ z }}) / ({{ n }}))
    end
{%- endmacro %}

{#
    Newcombe's hybrid score interval of a difference of proportions rate_a - rate_b, from each
    group's Wilson bounds: Newcombe (1998), "Interval estimation for the difference between
    independent proportions", Statistics in Medicine 17, method 10. Unlike the Wald interval it
    keeps its coverage when a rate is near 0 or a group is small (a 10% holdout), and it agrees
    with the pooled z-test's verdict far more often. side = 'lower' or 'upper'.
#}
{% macro newcombe_bound(rate_a, lower_a, upper_a, rate_b, lower_b, upper_b, side) -%}
    {%- if side == 'lower' -%}
    ({{ rate_a }}) - ({{ rate_b }}) - sqrt(
        (({{ rate_a }}) - ({{ lower_a }})) * (({{ rate_a }}) - ({{ lower_a }}))
        + (({{ upper_b }}) - ({{ rate_b }})) * (({{ upper_b }}) - ({{ rate_b }}))
    )
    {%- else -%}
    ({{ rate_a }}) - ({{ rate_b }}) + sqrt(
        (({{ upper_a }}) - ({{ rate_a }})) * (({{ upper_a }}) - ({{ rate_a }}))
        + (({{ rate_b }}) - ({{ lower_b }})) * (({{ rate_b }}) - ({{ lower_b }}))
    )
    {%- endif %}
{%- endmacro %}
