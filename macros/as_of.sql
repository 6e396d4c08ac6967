{#
    The var `as_of` as a SQL timestamp literal in UTC, or none when the var is not set.
    Validated at compile time so that a typo fails the build instead of silently building
    segments at the wrong instant. Accepts ISO dates and timestamps, with or without offset.
#}
{% macro as_of_literal() %}
    {%- set raw_value = var('segments__as_of') -%}
    {%- if raw_value is none or raw_value | string | trim == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(timestamp_literal(raw_value, 'segments__as_of')) }}
{% endmacro %}

{#
    An ISO date or timestamp (with or without offset) as a SQL timestamp literal in UTC.
    `var_name` names the var the value came from, for the error a malformed value raises.
#}
{% macro timestamp_literal(raw_value, var_name) %}
    {%- set text = raw_value | string | trim | replace('Z', '+00:00') -%}
    {%- if text | length == 10 -%}
        {%- set text = text ~ 'T00:00:00' -%}
    {%- endif -%}
    {%- if not modules.re.match('^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?([+-]\\d{2}:\\d{2})?$', text) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ var_name ~ " = '" ~ raw_value ~ "' is not an ISO date or timestamp (e.g. 2026-10-31 or 2026-10-31T18:00:00Z)"
        ) }}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.fromisoformat(text) -%}
    {%- if parsed.tzinfo is not none -%}
        {%- set parsed = parsed.astimezone(modules.pytz.utc).replace(tzinfo=none) -%}
    {%- endif -%}
    {{ return("cast('" ~ parsed.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ api.Column.translate_type('timestamp') ~ ")") }}
{% endmacro %}
