{#
    Engine differences between DuckDB and Spark SQL, one dispatched macro each.
    `default__` is what DuckDB (and standard SQL) accepts; `spark__` is Spark 3.5 SQL, also valid
    with spark.sql.ansi.enabled = true (Databricks SQL warehouses, Spark 4). Arguments that are
    SQL expressions are passed as strings, as for dbt's own cross-database macros.
#}

{# ---- casting ------------------------------------------------------------------------------ #}

{#
    A value cast to `type`, NULL when it does not convert. dbt.safe_cast is a plain `cast` on both
    engines (dbt-core's default, which dbt-duckdb does not override, and dbt-spark's): DuckDB then
    fails the build on the first bad value, and Spark returns NULL only while ANSI mode is off.
    Staging needs NULL (then a quarantine reason), so the project casts with this macro, in its
    own namespace: an override of dbt's `safe_cast` would apply only where this project is the
    root, not in a store's project that installs it as a package.
#}
{% macro try_cast(field, type) -%}
    {{ return(adapter.dispatch('try_cast', 'segments')(field, type)) }}
{%- endmacro %}

{% macro default__try_cast(field, type) -%}
    {{ return(dbt.safe_cast(field, type)) }}
{%- endmacro %}

{% macro duckdb__try_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro spark__try_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#
    A text value as an integer, NULL unless it is a whole number (optional sign, digits, blanks
    around). DuckDB's try_cast rounds '12.5' to 13 and Spark's gives NULL; this gives NULL on both.
#}
{% macro safe_cast_integer(text_expression, type=none) -%}
    case
        when {{ regex_matches('trim(' ~ text_expression ~ ')', '^[+-]?[0-9]+$') }}
            then {{ try_cast('trim(' ~ text_expression ~ ')', type or dbt.type_int()) }}
    end
{%- endmacro %}

{# ---- arithmetic --------------------------------------------------------------------------- #}

{#
    Integer division truncated toward zero (7 / 2 = 3, -7 / 2 = -3) of two integer expressions.
    `/` never does that portably: DuckDB's `/` gives a double, Spark's a double for integers and
    a decimal for decimals.
#}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'segments')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{% macro spark__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}

{#
    numerator / denominator rounded half up to `scale` decimal places, exactly, as a decimal:
    the same digits on every engine (AOV, store AOV, rates shown to people). Plain
    `round(a / b, 2)` is not portable: DuckDB divides decimals in double precision (so 10.01 / 2
    rounds to 5.00) and Spark in decimals (5.01). Computed in integer units of 10^-scale.
    Needs numerator >= 0 with at most `scale` decimal places (money with scale 2, counts) and an
    integer denominator > 0; NULL when the denominator is NULL or 0.
#}
{% macro divide_half_up(numerator, denominator, scale=2) -%}
    {%- set unit = 10 ** scale -%}
    {%- set units = 'cast((' ~ numerator ~ ') * ' ~ unit ~ ' as ' ~ dbt.type_bigint() ~ ')' -%}
    {%- set divisor = 'nullif(' ~ denominator ~ ', 0)' -%}
    cast(
        {{ integer_divide('2 * ' ~ units ~ ' + ' ~ divisor, '2 * ' ~ divisor) }}
        as decimal(38, 0)
    ) * {{ '1' if scale == 0 else '0.' ~ '0' * (scale - 1) ~ '1' }}
{%- endmacro %}

{#
    A double rounded half up to `places` decimals, as a decimal. round() on a double differs:
    DuckDB rounds the binary value (round(1.005, 2) = 1.0), Spark the shortest decimal that
    prints it (1.01). Casting to a decimal first makes both round the same digits.
#}
{% macro round_half_up(expression, places) -%}
    round(cast({{ expression }} as decimal(38, 9)), {{ places }})
{%- endmacro %}

{# ---- aggregates --------------------------------------------------------------------------- #}

{#
    Exact percentile with linear interpolation (percentile_cont) of a numeric expression, as an
    aggregate, fraction in 0..1, as a double on every engine: DuckDB quantile_cont, Spark
    percentile, standard SQL percentile_cont ... within group. The input is cast to a double
    first: DuckDB's quantile_cont of a decimal returns the column's decimal type and truncates
    the interpolated value to its scale (Q1 of 1.01, 2.02, 3.03, 10.00 is 1.76, not 1.7675),
    Spark returns the exact double. For an approximate percentile at scale use
    approx_percentile (the engines' sketches differ, so compare those with a tolerance).
#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'segments')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by cast({{ expression }} as {{ type_double() }}))
{%- endmacro %}

{% macro duckdb__percentile_cont(expression, fraction) -%}
    quantile_cont(cast({{ expression }} as {{ type_double() }}), {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(expression, fraction) -%}
    percentile(cast({{ expression }} as {{ type_double() }}), {{ fraction }})
{%- endmacro %}

{#
    The median (the 0.5 continuous percentile) of a numeric expression, as a double. Grouped
    over many groups it is slow on DuckDB when the rows arrive in no order (62 s of CPU for
    430k customers at L); customer_purchase_cadence takes its median by position instead.
#}
{% macro median(expression) -%}
    {{ percentile_cont(expression, 0.5) }}
{%- endmacro %}

{% macro approx_percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('approx_percentile', 'segments')(expression, fraction)) }}
{%- endmacro %}

{% macro default__approx_percentile(expression, fraction) -%}
    approx_quantile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__approx_percentile(expression, fraction) -%}
    percentile_approx({{ expression }}, {{ fraction }})
{%- endmacro %}

{#
    true when every non-NULL value is true (NULL without any). dbt ships dbt.bool_or but no
    bool_and; Spark 3 and DuckDB both have bool_and, engines without it get the max/min form.
#}
{% macro bool_and(expression) -%}
    {{ return(adapter.dispatch('bool_and', 'segments')(expression)) }}
{%- endmacro %}

{% macro default__bool_and(expression) -%}
    bool_and({{ expression }})
{%- endmacro %}

{#
    The non-NULL values of a text expression joined by a delimiter, in the order of another
    expression. dbt.listagg orders on DuckDB, but dbt-spark's ignores order_by (collect_list has
    no order), so Spark sorts (order key, value) pairs before joining.
#}
{% macro ordered_listagg(measure, delimiter_text, order_by_expression) -%}
    {{ return(adapter.dispatch('ordered_listagg', 'segments')(measure, delimiter_text, order_by_expression)) }}
{%- endmacro %}

{% macro default__ordered_listagg(measure, delimiter_text, order_by_expression) -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ order_by_expression) }}
{%- endmacro %}

{% macro spark__ordered_listagg(measure, delimiter_text, order_by_expression) -%}
    array_join(
        transform(
            array_sort(collect_list(case when ({{ measure }}) is not null then
                named_struct('sort_key', {{ order_by_expression }}, 'item', {{ measure }}) end)),
            pair -> pair.item
        ),
        {{ delimiter_text }}
    )
{%- endmacro %}

{# ---- text ---------------------------------------------------------------------------------- #}

{#
    Whether a text expression contains a match of a regular expression (search, not full
    match; anchor with ^ and $). `pattern` is a Jinja string, quoted by string_literal so that
    backslashes survive Spark's string literals. Use the common subset of RE2 (DuckDB) and Java
    regex (Spark): classes [..], quantifiers, anchors, groups, \d \s \w.
#}
{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'segments')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ string_literal(pattern) }})
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern) -%}
    ({{ expression }} rlike {{ string_literal(pattern) }})
{%- endmacro %}

{# The first match of `pattern` (or of its capture group `group`), '' when there is none. #}
{% macro regex_extract(expression, pattern, group=0) -%}
    regexp_extract({{ expression }}, {{ string_literal(pattern) }}, {{ group }})
{%- endmacro %}

{#
    Every match of `pattern` replaced by the plain text `replacement` (no back-references: DuckDB
    writes them \1, Spark $1). DuckDB's regexp_replace replaces only the first match unless
    given the 'g' option; Spark's replaces all.
#}
{% macro regex_replace(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace', 'segments')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ string_literal(pattern) }}, {{ string_literal(replacement) }}, 'g')
{%- endmacro %}

{% macro spark__regex_replace(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ string_literal(pattern) }}, {{ string_literal(replacement) }})
{%- endmacro %}

{#
    SHA-256 of a text expression as 64 lower-case hex digits (what ad platforms take as a hashed
    email). DuckDB spells it sha256(x), Spark sha2(x, 256); both hash the UTF-8 bytes. NULL in,
    NULL out.
#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'segments')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{#
    A text expression hashed to a number in [0, 1), the same on every engine and in Python:
    the first 8 hex digits of its MD5 as an unsigned integer, divided by 16^8
    (int(hashlib.md5(text.encode()).hexdigest()[:8], 16) / 2**32). For deterministic samples
    and holdouts that stay put across builds and engines. NULL in, NULL out.
#}
{% macro hash_fraction(expression) -%}
    {{ return(adapter.dispatch('hash_fraction', 'segments')(expression)) }}
{%- endmacro %}

{% macro default__hash_fraction(expression) -%}
    cast(cast(('0x' || substr(md5({{ expression }}), 1, 8)) as ubigint) / 4294967296.0 as double)
{%- endmacro %}

{% macro spark__hash_fraction(expression) -%}
    cast(conv(substr(md5({{ expression }}), 1, 8), 16, 10) as double) / cast(4294967296 as double)
{%- endmacro %}

{# ---- dates ---------------------------------------------------------------------------------- #}

{#
    ISO day of week of a date or timestamp as an integer, 1 = Monday ... 7 = Sunday.
    `dayofweek` means 0 = Sunday in DuckDB and 1 = Sunday in Spark; DuckDB's isodow is a bigint.
#}
{% macro iso_day_of_week(expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'segments')(expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(expression) -%}
    cast(extract(isodow from {{ expression }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro duckdb__iso_day_of_week(expression) -%}
    cast(isodow({{ expression }}) as {{ dbt.type_int() }})
{%- endmacro %}

{# Spark: weekday() is 0 = Monday ... 6 = Sunday. #}
{% macro spark__iso_day_of_week(expression) -%}
    cast(weekday({{ expression }}) + 1 as {{ dbt.type_int() }})
{%- endmacro %}
