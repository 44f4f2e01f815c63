{#-
    Incremental models on DuckDB append the days their pre-hook deleted (refresh_window_config).
    dbt-duckdb's own incremental materialization writes those rows to a temporary table and then
    copies the table into the model: every row is written twice and the temporary table is held in
    memory. For 8M gateway requests a day that is about 12 s more per run, and the memory pushes the
    query that builds them to spill. Here the rows go straight from the model's query into the
    table. A first build and --full-refresh create the table, with its contract when enforced.

    A model that sets meta aiuw.insert_by_day (a date column) is inserted one day of the landed
    window at a time, then whatever its query returns outside that window (nothing, for a model
    filtered to it): the rows are the same, but a query that ranks requests per day holds one day's
    rows instead of the whole window's (four days of 8M requests spill far more than one). A window
    of more than ten years (no window given: dbt's defaults) is inserted at once.

    Like on_schema_change='fail', an incremental run whose query's columns differ from the table's
    (names, order or types) stops with the difference and leaves the table as it was.
-#}
{% materialization incremental, adapter='duckdb', supported_languages=['sql'] -%}

    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set strategy = config.get('incremental_strategy') or 'append' -%}
    {%- if strategy != 'append' -%}
        {{ exceptions.raise_compiler_error(
            "Model " ~ model.name ~ " sets incremental_strategy='" ~ strategy ~ "': this project's DuckDB"
            ~ " incremental materialization (macros/materializations/incremental_duckdb.sql) only appends"
            ~ " the days its pre-hook deleted. Use refresh_window_config() or materialized='table'."
        ) }}
    {%- endif -%}
    {%- set rebuild = existing_relation is none or existing_relation.is_view or should_full_refresh() -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if rebuild -%}
        {%- if existing_relation is not none -%}
            {%- do adapter.drop_relation(existing_relation) -%}
        {%- endif -%}
        {%- call statement('main') -%}
            {{ create_table_as(False, target_relation, compiled_code) }}
        {%- endcall -%}
    {%- else -%}
        {%- set query_columns = get_column_schema_from_query(compiled_code) -%}
        {%- set table_columns = adapter.get_columns_in_relation(target_relation) -%}
        {%- set query_shape = query_columns | map(attribute='name') | map('lower') | list -%}
        {%- set table_shape = table_columns | map(attribute='name') | map('lower') | list -%}
        {%- set query_types = query_columns | map(attribute='data_type') | map('upper') | list -%}
        {%- set table_types = table_columns | map(attribute='data_type') | map('upper') | list -%}
        {%- if query_shape != table_shape or query_types != table_types -%}
            {{ exceptions.raise_compiler_error(
                "The columns of " ~ model.name ~ " changed: the table has "
                ~ zip(table_shape, table_types) | map('join', ' ') | join(', ')
                ~ "; the query returns " ~ zip(query_shape, query_types) | map('join', ' ') | join(', ')
                ~ ". Rebuild it with `dbt build --full-refresh --select " ~ model.name ~ "`."
            ) }}
        {%- endif -%}
        {%- set column_list = table_columns | map(attribute='quoted') | join(', ') -%}
        {%- set insert_rows -%}
            insert into {{ target_relation }} ({{ column_list }})
            select {{ column_list }} from (
                {{ compiled_code }}
            ) as model_rows
        {%- endset -%}
        {%- set by_day = config.get('meta', {}).get('aiuw', {}).get('insert_by_day') -%}
        {%- set insert_days = false -%}
        {%- if by_day -%}
            {%- set first_day = modules.datetime.date.fromisoformat(landed_min_date() | trim) -%}
            {%- set end_day = modules.datetime.date.fromisoformat(run_var('max_date') | string) -%}
            {#- A window of more than ten years is no backfill but a build without a window (dbt's
                default, 1970 to 2999): one insert, not one a day for a thousand years. -#}
            {%- set insert_days = (end_day - first_day).days <= 3660 -%}
        {%- endif -%}
        {%- if insert_days -%}
            {%- for offset in range((end_day - first_day).days) -%}
                {%- set day = first_day + modules.datetime.timedelta(days=offset) -%}
                {%- do run_query(insert_rows ~ " where " ~ by_day ~ " = cast('" ~ day ~ "' as date)") -%}
            {%- endfor -%}
            {%- call statement('main') -%}
                {{ insert_rows }}
                where {{ by_day }} is null
                    or {{ by_day }} < cast('{{ first_day }}' as date)
                    or {{ by_day }} >= cast('{{ end_day }}' as date)
            {%- endcall -%}
        {%- else -%}
            {%- call statement('main') -%}
                {{ insert_rows }}
            {%- endcall -%}
        {%- endif -%}
    {%- endif -%}

    {%- do persist_docs(target_relation, model) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- do adapter.commit() -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}

{%- endmaterialization %}
