{#
    Whether a customer's site events count only with tracking consent (docs/definitions.md §1): the country is
    in consent_required_countries, or a code was written that country_codes does not know.
    Fail closed: an unknown code may well be a consent country. A customer without a country
    code does not, as before: docs/definitions.md §1 ties consent to a country. The one place this rule is
    written; every model that counts site events calls it with stg_shop__customers' columns.
#}
{% macro requires_tracking_consent(country_code, is_country_code_known) -%}
    (
        {{ country_code }} is not null
        and (
            {{ country_code }} in {{ sql_list(var('segments__consent_required_countries')) }}
            or not coalesce({{ is_country_code_known }}, false)
        )
    )
{%- endmacro %}
