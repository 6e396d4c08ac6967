-- Each engine-dispatched macro of macros/portability on fixed inputs, with the result its
-- comment promises; returns the cases where the engine of this run gives something else. The
-- same file runs on DuckDB (`make test`) and on Spark (`make test-spark`), so a macro whose two
-- implementations drift apart fails on one of them.
{%- set numbers = "(select 1 as x union all select 2 union all select 3 union all select 4)" %}
{%- set flags = "(select true as flag union all select false union all select cast(null as boolean))" %}
{#- clean_text / clean_id: (macro, input, expected; 'NULL' for NULL). Jinja reads the escapes. #}
{%- set cleaning_cases = [
    ('clean_text', 'abc', 'abc'),
    ('clean_text', ' abc ', 'abc'),
    ('clean_text', '\t', 'NULL'),
    ('clean_text', '\u00a0', 'NULL'),
    ('clean_text', '\u200b\ufeff', 'NULL'),
    ('clean_text', 'abc\r\n', 'abc'),
    ('clean_text', '\ufeffabc\u0085', 'abc'),
    ('clean_text', '\u3000a\tb\u2028', 'a\tb'),
    ('clean_text', 'abc\x7f', 'abc'),
    ('clean_text', 'Jos\u00e9', 'Jos\u00e9'),
    ('clean_id', 'C\u200b1\t', 'C1'),
    ('clean_id', 'C\t1', 'C1'),
    ('clean_id', 'C 1', 'C 1'),
    ('clean_id', 'C"1\\', 'C"1\\'),
    ('clean_id', '\u00a0', 'NULL'),
] %}
with

cases as (
    select
        'integer_divide truncates' as case_name,
        cast({{ integer_divide('7', '2') }} as {{ dbt.type_string() }}) as actual,
        '3' as expected
    union all
    select
        'integer_divide truncates toward zero',
        cast({{ integer_divide('-7', '2') }} as {{ dbt.type_string() }}),
        '-3'
    union all
    select
        'divide_half_up rounds the exact half up',
        cast({{ divide_half_up('cast(10.01 as decimal(18, 2))', '2') }} as {{ dbt.type_string() }}),
        '5.01'
    union all
    select
        'divide_half_up keeps the cents',
        cast({{ divide_half_up('cast(10.00 as decimal(18, 2))', '3') }} as {{ dbt.type_string() }}),
        '3.33'
    union all
    select
        'divide_half_up is NULL on a zero denominator',
        coalesce(cast({{ divide_half_up('cast(1 as decimal(18, 2))', '0') }} as {{ dbt.type_string() }}), 'NULL'),
        'NULL'
    union all
    select
        'round_half_up rounds the printed digits of a double',
        cast({{ round_half_up('cast(1.005 as double)', 2) }} as {{ dbt.type_string() }}),
        '1.01'
    union all
    select
        'safe_cast_integer takes a whole number',
        cast({{ safe_cast_integer("' -42 '") }} as {{ dbt.type_string() }}),
        '-42'
    union all
    select
        'safe_cast_integer does not round',
        coalesce(cast({{ safe_cast_integer("'12.5'") }} as {{ dbt.type_string() }}), 'NULL'),
        'NULL'
    union all
    select
        'safe_cast is NULL on bad input',
        coalesce(cast({{ try_cast("'garbage'", dbt.type_int()) }} as {{ dbt.type_string() }}), 'NULL'),
        'NULL'
    union all
    select
        'string_literal keeps quotes and backslashes',
        cast(length({{ string_literal("it's a \\ and a \\d") }}) as {{ dbt.type_string() }}),
        '17'
    union all
    select
        'regex_matches searches, backslash classes survive',
        cast({{ regex_matches("'order 1234'", '\\d{4}$') }} as {{ dbt.type_string() }}),
        'true'
    union all
    select
        'regex_extract gives the first match',
        {{ regex_extract("'abc123def456'", '[0-9]+') }},
        '123'
    union all
    select
        'regex_replace replaces every match',
        {{ regex_replace("'a.b.c'", '\\.', '-') }},
        'a-b-c'
    union all
    select
        'iso_day_of_week: Sunday is 7',
        cast({{ iso_day_of_week("cast('2026-11-22' as date)") }} as {{ dbt.type_string() }}),
        '7'
    union all
    select
        'iso_day_of_week: Monday is 1',
        cast({{ iso_day_of_week("cast('2026-11-23' as date)") }} as {{ dbt.type_string() }}),
        '1'
    union all
    select
        'sha256_hex gives the known digest in lower-case hex',
        {{ sha256_hex("'test@example.com'") }},
        '973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b'
    union all
    select
        'sha256_hex of the empty text',
        {{ sha256_hex("''") }},
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    union all
    select
        'median interpolates',
        cast(cast({{ median('x') }} as decimal(18, 2)) as {{ dbt.type_string() }}),
        '2.50'
    from {{ numbers }} as numbers
    union all
    select
        'percentile_cont interpolates',
        cast(cast({{ percentile_cont('x', 0.25) }} as decimal(18, 2)) as {{ dbt.type_string() }}),
        '1.75'
    from {{ numbers }} as numbers
    union all
    select
        'approx_percentile stays within the data',
        cast({{ approx_percentile('x', 0.5) }} between 1 and 4 as {{ dbt.type_string() }}),
        'true'
    from {{ numbers }} as numbers
    union all
    select
        'bool_and ignores NULL',
        cast({{ bool_and('flag') }} as {{ dbt.type_string() }}),
        'false'
    from {{ flags }} as flags
    union all
    select
        'bool_and of true and NULL is true',
        cast({{ bool_and('flag') }} as {{ dbt.type_string() }}),
        'true'
    from {{ flags }} as flags
    where flag or flag is null
{%- for macro_name, value, expected in cleaning_cases %}
    union all
    select
        {{ string_literal(macro_name ~ ' cleans case ' ~ loop.index) }},
        {{ context[macro_name](string_literal(value)) }},
        {{ string_literal(expected) }}
{%- endfor %}
)

select *
from cases
where coalesce(actual, 'NULL') <> expected
