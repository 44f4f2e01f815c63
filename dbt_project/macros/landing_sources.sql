{#-
    Sources are the landing zone's Parquet files. On DuckDB, dbt-duckdb reads each source through
    its meta.external_location (read_parquet of a glob). Other engines read the same glob: Spark as
    parquet.`<glob>` (columns merged by name through spark.sql.parquet.mergeSchema, set in the profile).
-#}
{% macro source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {{ return(adapter.dispatch('landing_source', 'ai_usage_warehouse')(relation, source_name, table_name)) }}
{%- endmacro %}

{% macro default__landing_source(relation, source_name, table_name) -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro spark__landing_source(relation, source_name, table_name) -%}
    {%- if not execute -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return("parquet.`" ~ landing_glob(source_name, table_name) ~ "`") }}
{%- endmacro %}

{#- The file glob inside the source's read_parquet('<glob>', ...) external location. -#}
{% macro landing_glob(source_name, table_name) -%}
    {%- set matches = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name)
        | selectattr('name', 'equalto', table_name)
        | list -%}
    {%- set location = matches[0].meta.get('external_location', '') if matches else '' -%}
    {%- if "read_parquet('" not in location -%}
        {{ exceptions.raise_compiler_error(
            "source " ~ source_name ~ "." ~ table_name ~ " has no meta.external_location of the form "
            ~ "read_parquet('<glob>'); add one to its _<source>__sources.yml so every engine finds its files"
        ) }}
    {%- endif -%}
    {{ return(location.split("'")[1] | replace('{name}', matches[0].identifier)) }}
{%- endmacro %}
