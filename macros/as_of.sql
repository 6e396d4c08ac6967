{#
    The var `as_of` as a SQL timestamp literal in UTC, or none when the var is not set.
    Validated at compile time so that a typo fails the build instead of silently building
    segments at the wrong instant. Accepts ISO dates and timestamps, with or without offset.
#}
{% macro as_of_literal() %}
    {%- set raw_value = var('as_of') -%}
    {%- if raw_value is none or raw_value | string | trim == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = raw_value | string | trim | replace('Z', '+00:00') -%}
    {%- if text | length == 10 -%}
        {%- set text = text ~ 'T00:00:00' -%}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.fromisoformat(text) -%}
    {%- if parsed.tzinfo is not none -%}
        {%- set parsed = parsed.astimezone(modules.pytz.utc).replace(tzinfo=none) -%}
    {%- endif -%}
    {{ return("cast('" ~ parsed.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ api.Column.translate_type('timestamp') ~ ")") }}
{% endmacro %}
