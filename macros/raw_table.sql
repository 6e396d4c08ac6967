{#
    The relation a staging model reads one SPEC §2 table from. Every staging model calls this
    instead of ref()/source(), so that the var `raw_source` switches all of them at once.
      seeds  -> the bundled demo CSVs (seeds/raw_<table>.csv)
#}
{% macro raw_table(table_name) %}
    {%- set raw_source = var('raw_source') -%}
    {%- if raw_source == 'seeds' -%}
        {{ ref('raw_' ~ table_name) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var raw_source = '" ~ raw_source ~ "' is not supported; use 'seeds'"
        ) }}
    {%- endif -%}
{% endmacro %}
