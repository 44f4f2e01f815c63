{#-
    Views on DuckDB are created again only when their SQL changed. A daily build runs about a
    hundred staging views whose SQL is the same every day; dbt's own view materialization creates
    each under a temporary name, renames it into place and drops the old one, about 0.1 s a view.
    Here the view's comment keeps a fingerprint of its compiled SQL (which holds the landing paths
    too): when it matches, the view is left as it is. --full-refresh creates every view again.
-#}
{% materialization view, adapter='duckdb', supported_languages=['sql'] -%}

    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- set fingerprint = 'aiuw-sql:' ~ local_md5(compiled_code) -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set unchanged = namespace(value=false) -%}
    {%- if existing_relation is not none and existing_relation.is_view and not should_full_refresh() -%}
        {%- set found = run_query(
            "select comment from duckdb_views() where database_name = '" ~ this.database
            ~ "' and schema_name = '" ~ this.schema ~ "' and view_name = '" ~ this.identifier ~ "'"
        ) -%}
        {%- set unchanged.value = found.rows | length == 1 and found.rows[0][0] == fingerprint -%}
    {%- endif -%}

    {%- if unchanged.value -%}
        {%- call noop_statement('main', 'UNCHANGED') -%}{%- endcall -%}
    {%- else -%}
        {%- if existing_relation is not none and not existing_relation.is_view -%}
            {%- do adapter.drop_relation(existing_relation) -%}
        {%- endif -%}
        {%- call statement('main') -%}
            create or replace view {{ target_relation }} as (
                {{ compiled_code }}
            )
        {%- endcall -%}
        {%- call statement('fingerprint') -%}
            comment on view {{ target_relation }} is '{{ fingerprint }}'
        {%- endcall -%}
    {%- endif -%}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}

{%- endmaterialization %}
