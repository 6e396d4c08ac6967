{#- Run-operation: every built mart and activation model, and staging_reconciliation, written as
    Parquet under `path` (a folder the engine can write: local, or object storage on a cluster),
    one entry per model named after it. Prints one JSON line, {"row_counts": {model: rows}}, which
    src/store_segments/runtime/publish.py reads to write the manifest. Models disabled on the target (DuckDB-only
    Python models on Spark) and models not built are skipped. -#}
{% macro export_parquet(path) %}
    {%- set row_counts = {} %}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and (node.fqn[1] in ['marts', 'activation'] or node.name == 'staging_reconciliation') %}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) %}
        {%- if relation is not none %}
            {#- Not run_query: it fetches the result, and a Spark Thrift server answers a write with
                an empty result set that PyHive fails to fetch. -#}
            {%- do adapter.execute(copy_to_parquet(relation, path ~ '/' ~ node.name)) %}
            {%- set counted = run_query('select count(*) from ' ~ relation) %}
            {%- do row_counts.update({node.name: counted.columns[0].values()[0] | int}) %}
        {%- endif %}
    {%- endfor %}
    {{ print(tojson({'row_counts': row_counts})) }}
{% endmacro %}

{#- The statement that writes `relation`'s rows as Parquet at `destination` (dispatched). -#}
{% macro copy_to_parquet(relation, destination) %}
    {{ return(adapter.dispatch('copy_to_parquet', 'segments')(relation, destination)) }}
{% endmacro %}

{% macro default__copy_to_parquet(relation, destination) %}
    copy (select * from {{ relation }}) to {{ string_literal(destination ~ '.parquet') }} (format parquet)
{% endmacro %}

{% macro spark__copy_to_parquet(relation, destination) %}
    insert overwrite directory {{ string_literal(destination) }} using parquet select * from {{ relation }}
{% endmacro %}
