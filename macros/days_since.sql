{#
    Calendar days from the UTC date of `event_at` to the UTC date of `as_of` (docs/definitions.md §1):
    23:59 on one day to 00:01 on the next is 1 day. "Within N days" means days_since <= N.
#}
{% macro days_since(event_at, as_of='as_of') -%}
    {{ dbt.datediff(event_at, as_of, 'day') }}
{%- endmacro %}
