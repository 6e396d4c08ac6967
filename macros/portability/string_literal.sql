{#
    A Jinja string (a var, a persona name, a regex) as a SQL string literal.
    Engines escape differently: DuckDB (standard SQL) doubles a single quote and takes a
    backslash literally; Spark SQL escapes with a backslash, so `'` becomes `\'` and `\` becomes
    `\\` (else `'a\d'` reaches Spark's regex engine as `ad`). Use this instead of writing
    `'{{ value }}'` in a model whenever the value comes from a var or a seed-driven macro.
#}
{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'segments')(value | string)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
    {{ return("'" ~ value | replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__string_literal(value) -%}
    {{ return("'" ~ value | replace('\\', '\\\\') | replace("'", "\\'") ~ "'") }}
{%- endmacro %}
