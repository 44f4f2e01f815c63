{#-
    Incremental marts rebuild whole days in [run_var('min_date'), run_var('max_date')).
    `in_refresh_window` filters the rows to build; `delete_refresh_window` (a pre-hook) removes the
    same days first, so a day that lost rows upstream loses them here too. A first or full-refresh
    build takes every day.
-#}
{#- `started_at`: as in in_landed_window below, for rows read straight from landing files. -#}
{% macro in_refresh_window(column, started_at=none) -%}
    {%- if is_incremental() -%}
        {{ column }} >= cast('{{ run_var('min_date') }}' as date) and {{ column }} < cast('{{ run_var('max_date') }}' as date)
        {%- if started_at %}
        and {{ started_at }} >= cast('{{ run_var('min_date') }}' as timestamp)
        and {{ started_at }} < cast('{{ run_var('max_date') }}' as timestamp)
        {%- endif %}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{% macro delete_refresh_window(column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ column }} >= cast('{{ run_var('min_date') }}' as date) and {{ column }} < cast('{{ run_var('max_date') }}' as date)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#-
    Day-grained sources (gateway logs and spans) land whole days and re-land only the run's refresh
    window, never a restated billing month: models built only from them rebuild
    [run_var('landed_min_date'), run_var('max_date')), which Dagster sets to the refresh window's first day.
    Without the var they follow min_date. A first or full-refresh build takes every day.
-#}
{% macro landed_min_date() -%}
    {{- run_var('landed_min_date') or run_var('min_date') -}}
{%- endmacro %}

{#-
    `started_at`: the timestamp `column` is the date of, when the rows come straight from landing
    files. The same window on it lets the Parquet reader skip the row groups of other days: DuckDB
    does not skip them for a filter on the date cast through a staging view, and read every landed
    day (14.6M rows for 90 days of 160,000 requests) to rebuild one.
-#}
{% macro in_landed_window(column, started_at=none) -%}
    {%- if is_incremental() -%}
        {{ column }} >= cast('{{ landed_min_date() }}' as date) and {{ column }} < cast('{{ run_var('max_date') }}' as date)
        {%- if started_at %}
        and {{ started_at }} >= cast('{{ landed_min_date() }}' as timestamp)
        and {{ started_at }} < cast('{{ run_var('max_date') }}' as timestamp)
        {%- endif %}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{% macro delete_landed_window(column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ column }} >= cast('{{ landed_min_date() }}' as date) and {{ column }} < cast('{{ run_var('max_date') }}' as date)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

    The incremental config of a mart rebuilt by refresh window, per engine. DuckDB appends after the
    delete_refresh_window pre-hook. Spark (Parquet tables cannot delete rows) partitions by the day
    and overwrites whole days: the pre-hook drops the window's existing day partitions, then
    insert_overwrite writes the days the window has rows for. No max-timestamp filter either way.
-#}
{#- landed: the model is built only from day-grained sources and rebuilds the landed window. -#}
{% macro refresh_window_config(column, landed=false) -%}
    {{ return(adapter.dispatch('refresh_window_config', 'ai_usage_warehouse')(column, landed)) }}
{%- endmacro %}

{% macro default__refresh_window_config(column, landed) -%}
    {%- set delete = 'delete_landed_window' if landed else 'delete_refresh_window' -%}
    {{ return({
        'incremental_strategy': 'append',
        'pre_hook': "{{ " ~ delete ~ "('" ~ column ~ "') }}",
    }) }}
{%- endmacro %}

{% macro spark__refresh_window_config(column, landed) -%}
    {{ return({
        'incremental_strategy': 'insert_overwrite',
        'file_format': 'parquet',
        'partition_by': [column],
        'pre_hook': "{{ drop_refresh_window_partitions('" ~ column ~ "', " ~ landed ~ ") }}",
    }) }}
{%- endmacro %}

{#- Spark pre-hook: drop the existing day partitions inside the (refresh or landed) window. -#}
{% macro drop_refresh_window_partitions(column, landed=false) -%}
    {%- if execute and is_incremental() -%}
        {%- set min_date = (landed_min_date() if landed else run_var('min_date')) | string | trim -%}
        {%- set max_date = run_var('max_date') | string -%}
        {%- for row in run_query("show partitions " ~ this) -%}
            {%- set day = row[0].split('=')[1] -%}
            {%- if min_date <= day < max_date -%}
                {%- do run_query("alter table " ~ this ~ " drop if exists partition (" ~ column ~ " = '" ~ day ~ "')") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
