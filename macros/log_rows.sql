{#
    dbt prints only how many rows a failing test returned. A warn-severity test that exists to
    name something (a key, a table) calls this with its own query: when it runs in `dbt build`
    or `dbt test`, each row (at most `limit`, in the order of the first two columns) is logged
    as `label: column=value, ...`, so the output names them. It runs the query as the test is
    compiled, right before it runs, after the models it reads are built; `dbt compile`,
    `docs` and `parse` do not run it.
#}
{% macro log_rows(sql, label, limit=50) %}
    {%- if execute and flags.WHICH in ('build', 'test') -%}
        {%- set result = run_query(
            'select * from (' ~ sql ~ ') as logged_rows order by 1, 2 limit ' ~ limit
        ) -%}
        {%- for row in result.rows -%}
            {%- set values = [] -%}
            {%- for column in result.column_names -%}
                {%- do values.append(column ~ '=' ~ row[column]) -%}
            {%- endfor -%}
            {%- do log(label ~ ': ' ~ values | join(', '), info=true) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
