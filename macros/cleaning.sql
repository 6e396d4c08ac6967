{#
    Text cleaning shared by the staging models. Raw exports pad values with spaces, tabs, line
    ends or invisible characters and write "missing" as an empty string (or only such padding);
    every such value becomes NULL so that a single `is null` check finds it.
#}

{#
    A trimmed value, NULL when empty. Trimmed from both ends: Unicode whitespace, separators and
    control / format characters (\s, \p{Z}, \p{C}): the tab or no-break space (U+00A0) of a
    hand-edited export, the carriage return a CRLF file leaves on the last column, zero-width
    spaces, a byte order mark (U+FEFF), NEL (U+0085).
    The regex only runs on values that may need it (may_need_cleaning), which matters at 50M
    rows: 10M short ids on one DuckDB thread take 0.7 s so, 1.3 s with the regex on every value
    (0.35 s for the old ASCII-only trim).
#}
{% macro clean_text(column) -%}
    nullif(
        case
            when {{ may_need_cleaning(column) }}
                then {{ regex_replace(column, '^' ~ untrimmed_class() ~ '+|' ~ untrimmed_class() ~ '+$', '') }}
            else {{ column }}
        end,
        ''
    )
{%- endmacro %}

{#
    An id: clean_text, and control / format characters (\p{Cc}, \p{Cf}: a tab, a zero-width
    space, a BOM) removed anywhere inside too, so that `C1`, `C1<tab>` and `C<zero-width space>1`
    join as one customer. Spaces and other visible characters inside an id are kept.
#}
{% macro clean_id(column) -%}
    nullif(
        case
            when {{ may_need_cleaning(column) }} or {{ has_ascii_control(column) }}
                then {{ regex_replace(
                    column,
                    '^' ~ untrimmed_class() ~ '+|' ~ untrimmed_class() ~ '+$|[\\p{Cc}\\p{Cf}]',
                    ''
                ) }}
            else {{ column }}
        end,
        ''
    )
{%- endmacro %}

{# The characters clean_text trims, as a regex class that RE2 (DuckDB) and Java (Spark) both read. #}
{% macro untrimmed_class() -%}
    {{- return('[\\s\\p{Z}\\p{C}]') -}}
{%- endmacro %}

{#
    false only when a value certainly has nothing to trim: it is all ASCII (so no Unicode space or
    format character hides in it) and its first and last characters are printable and not a
    space, i.e. from '!' to '~' (strings compare bytewise on both engines, so `x < '!'` reads
    the first byte; the last one through reverse()). A value that is true may still be clean
    (`José`); the regex then leaves it as it is.
#}
{% macro may_need_cleaning(column) -%}
    (
        {{ column }} < '!' or {{ column }} >= chr(127)
        or reverse({{ column }}) < '!' or {{ column }} like ('%' || chr(127))
        or {{ has_non_ascii(column) }}
    )
{%- endmacro %}

{# Whether a text holds a character beyond ASCII: more bytes than characters. #}
{% macro has_non_ascii(column) -%}
    {{ return(adapter.dispatch('has_non_ascii', 'segments')(column)) }}
{%- endmacro %}

{% macro default__has_non_ascii(column) -%}
    octet_length({{ column }}) <> length({{ column }})
{%- endmacro %}

{# DuckDB: octet_length takes only blobs; strlen counts the bytes of a text. #}
{% macro duckdb__has_non_ascii(column) -%}
    strlen({{ column }}) <> length({{ column }})
{%- endmacro %}

{#
    Whether a text holds an ASCII control character (U+0000 to U+001F, U+007F) anywhere. Only
    ids need it: the ends and non-ASCII characters are may_need_cleaning's.
#}
{% macro has_ascii_control(column) -%}
    {{ return(adapter.dispatch('has_ascii_control', 'segments')(column)) }}
{%- endmacro %}

{% macro default__has_ascii_control(column) -%}
    {{ regex_matches(column, '[\\x00-\\x1f\\x7f]') }}
{%- endmacro %}

{#
    DuckDB: JSON escapes every character from U+0000 to U+001F (and `"`, `\`, which then merely
    run the regex for nothing), so the JSON text is longer than the value plus its two quotes.
    Cheaper than regexp_matches: clean_id over 10M ids takes 1.1 s so, 1.6 s with
    regexp_matches, 1.3 s with the regex on every value. DEL is not escaped: contains() finds it.
#}
{% macro duckdb__has_ascii_control(column) -%}
    (strlen(cast(to_json({{ column }}) as varchar)) <> strlen({{ column }}) + 2 or contains({{ column }}, chr(127)))
{%- endmacro %}

{# A code (status, event type, consent value) in lower case, so `Opened` and `opened` agree. #}
{% macro clean_code(column) -%}
    lower({{ clean_text(column) }})
{%- endmacro %}

{# true / false from the spellings exports use; NULL for anything else (checked by the caller). #}
{% macro parse_boolean(column) -%}
    case
        when {{ clean_code(column) }} in ('true', 't', 'yes', 'y', '1') then true
        when {{ clean_code(column) }} in ('false', 'f', 'no', 'n', '0') then false
    end
{%- endmacro %}

{# A decimal money amount, NULL when it does not parse. #}
{% macro parse_money(column) -%}
    {{ try_cast(clean_text(column), type_money()) }}
{%- endmacro %}

{# A whole number, NULL when it does not parse ('12.5' too: no engine may round it). #}
{% macro parse_integer(column) -%}
    {{ safe_cast_integer(clean_text(column)) }}
{%- endmacro %}

{# A calendar date, NULL when it does not parse. #}
{% macro parse_date(column) -%}
    {{ try_cast(clean_text(column), 'date') }}
{%- endmacro %}

{# The SQL list literal ('a', 'b') of a list var, for `in` clauses. #}
{% macro sql_list(values) -%}
    ({%- for value in values -%}{{ string_literal(value) }}{{ ", " if not loop.last }}{%- endfor -%})
{%- endmacro %}

{# A value as text for evidence strings; NULL reads as `missing` so concatenation never drops it. #}
{% macro as_text(column, missing='none') -%}
    coalesce(cast({{ column }} as {{ dbt.type_string() }}), {{ string_literal(missing) }})
{%- endmacro %}

