{#
    A raw timestamp string as a UTC timestamp without time zone, NULL when it does not parse.
    Exports mix `2026-03-01 08:00:00` (taken as UTC), `2026-03-01T08:00:00Z` and
    `2026-03-01T10:00:00+02:00`; all three give 2026-03-01 08:00:00. No place on Earth is more
    than 14 hours from UTC, so a value whose offset is beyond +/-14:00 does not parse either
    (both engines read `+25:00`, Spark up to `+18:00`, as an instant).
#}
{% macro parse_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'segments')(column)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(column) -%}
    case
        when {{ is_utc_offset_out_of_range(column) }} then null
        else {{ try_cast(column, api.Column.translate_type('timestamp')) }}
    end
{%- endmacro %}

{#
    True when the text ends in a UTC offset (after a time: `08:00:00+14:30`, `08:00+1430`,
    `08:00:00-15`) beyond +/-14:00. The offset's digits, padded to HHMMSS, are compared as text:
    all are six digits, so text order is number order. Without an offset it is false.
#}
{% macro is_utc_offset_out_of_range(column) -%}
    (rpad(replace({{ regex_extract(
        column,
        '[0-9]:[0-9][0-9](:[0-9][0-9]([.,][0-9]+)?)?[+-]([0-9][0-9](:?[0-9][0-9]){0,2})$',
        3,
    ) }}, ':', ''), 6, '0') > '140000')
{%- endmacro %}

{#
    DuckDB: parse as timestamptz (which honours the offset), then read the wall clock in UTC.
    A value of 19 characters (`2026-03-01 08:00:00`, `2026-03-01T08:00:00`) has no offset and
    is UTC as it stands: cast it as a plain timestamp, three times faster than timestamptz.
#}
{% macro duckdb__parse_utc_timestamp(column) -%}
    case
        when length({{ column }}) = 19 then try_cast({{ column }} as timestamp)
        -- DuckDB reads Postgres's `infinity` / `-infinity` as timestamps; Spark does not, and
        -- neither is an instant: unparseable on both engines.
        when {{ column }} ilike '%infinity' then null
        when {{ is_utc_offset_out_of_range(column) }} then null
        else cast(try_cast({{ column }} as timestamptz) at time zone 'UTC' as timestamp)
    end
{%- endmacro %}

{#
    Spark: try_cast honours an offset and reads a timestamp without one in the session time zone,
    which the `spark` target sets to UTC (spark.sql.session.timeZone); the data test
    session_time_zone_is_utc fails the build when it is not. try_cast, not cast: a plain cast
    fails the query on bad input when ANSI mode is on.
#}
{% macro spark__parse_utc_timestamp(column) -%}
    case
        when {{ is_utc_offset_out_of_range(column) }} then null
        else try_cast({{ column }} as timestamp)
    end
{%- endmacro %}
