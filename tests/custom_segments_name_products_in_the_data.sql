-- Warns, naming each custom segment and the product or category it filters on that is not in
-- the products table (stg_shop__products): a typo (SKU-NOPE) or a product not sold yet matches
-- nobody, so the segment is silently smaller than meant. A warning, not an error: a product
-- announced before its first sale is a fair definition. The segment, filter and value are logged.
{{ config(severity='warn') }}
{%- set named = custom_segment_named_values(custom_segment_definitions()) %}
-- depends_on: {{ ref('custom_segment_members') }}
{%- set unknown -%}
{%- if named %}
with

named_values as (
    {%- for item in named %}
    select
        {{ string_literal(item.segment) }} as segment_name,
        {{ string_literal(item.filter) }} as filter_name,
        {{ string_literal(item.value) }} as filter_value
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

products as (
    select * from {{ ref('stg_shop__products') }}
)

select
    named_values.segment_name,
    named_values.filter_name,
    named_values.filter_value
from named_values
where not exists (
    select 1 from products
    where (named_values.filter_name = 'product' and products.product_id = named_values.filter_value)
        or (named_values.filter_name = 'category' and products.category = named_values.filter_value)
)
{%- else %}
-- depends_on: {{ ref('stg_shop__products') }}
select
    cast(null as {{ dbt.type_string() }}) as segment_name,
    cast(null as {{ dbt.type_string() }}) as filter_name,
    cast(null as {{ dbt.type_string() }}) as filter_value
from (select 1 as no_segment) as no_segments
where 1 = 0
{%- endif %}
{%- endset %}
{{- log_rows(unknown, 'custom segment names a value not in the data') }}
{{ unknown }}
