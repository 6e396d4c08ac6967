{#
    Text cleaning shared by the staging models. Raw exports pad values with spaces and write
    "missing" as an empty string; both become NULL so that a single `is null` check finds them.
#}

{#
    A trimmed value, NULL when empty. trim() only runs on values that start or end with a space:
    on DuckDB it is several times slower than the two LIKE checks, which matters at 50M rows.
#}
{% macro clean_text(column) -%}
    nullif(case when {{ column }} like ' %' or {{ column }} like '% ' then trim({{ column }}) else {{ column }} end, '')
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
    {{ dbt.safe_cast(clean_text(column), type_money()) }}
{%- endmacro %}

{# A whole number, NULL when it does not parse ('12.5' too: no engine may round it). #}
{% macro parse_integer(column) -%}
    {{ safe_cast_integer(clean_text(column)) }}
{%- endmacro %}

{# A calendar date, NULL when it does not parse. #}
{% macro parse_date(column) -%}
    {{ dbt.safe_cast(clean_text(column), 'date') }}
{%- endmacro %}

{# The SQL list literal ('a', 'b') of a list var, for `in` clauses. #}
{% macro sql_list(values) -%}
    ({%- for value in values -%}{{ string_literal(value) }}{{ ", " if not loop.last }}{%- endfor -%})
{%- endmacro %}

{# A value as text for evidence strings; NULL reads as `none` so concatenation never drops it. #}
{% macro as_text(column) -%}
    coalesce(cast({{ column }} as {{ dbt.type_string() }}), 'none')
{%- endmacro %}
