{#
    The config of an incremental model that is rebuilt by whole partitions (e.g. event days):
    each incremental run selects complete partitions (say, the days from the latest day already
    built minus a lookback for late events) and the engine replaces exactly those partitions.
      DuckDB: delete+insert keyed on the partition column: the batch's days are deleted, then
              inserted (dbt-duckdb has no insert_overwrite).
      Spark:  insert_overwrite partitioned by the column, with dynamic partition overwrite (which
              dbt-spark switches on): works on plain parquet. merge would need Delta, Iceberg or
              Hudi, i.e. jars this machine cannot download; on a Delta cluster merge on the
              event key is the alternative for batches that are not whole partitions.
    Both give the table a full rebuild gives, as long as every batch holds whole partitions.
    Usage, first line of the model:
        {{ '{{' }} config(**incremental_by_partition('event_date')) {{ '}}' }}
#}
{% macro incremental_by_partition(partition_column) %}
    {{ return(adapter.dispatch('incremental_by_partition', 'segments')(partition_column)) }}
{% endmacro %}

{% macro default__incremental_by_partition(partition_column) %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': partition_column,
    }) }}
{% endmacro %}

{% macro spark__incremental_by_partition(partition_column) %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'insert_overwrite',
        'partition_by': [partition_column],
    }) }}
{% endmacro %}
