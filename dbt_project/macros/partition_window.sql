{#-
    Incremental marts rebuild whole days in [var('min_date'), var('max_date')).
    `in_refresh_window` filters the rows to build; `delete_refresh_window` (a pre-hook) removes the
    same days first, so a day that lost rows upstream loses them here too. A first or full-refresh
    build takes every day.
-#}
{% macro in_refresh_window(column) -%}
    {%- if is_incremental() -%}
        {{ column }} >= cast('{{ var("min_date") }}' as date) and {{ column }} < cast('{{ var("max_date") }}' as date)
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{% macro delete_refresh_window(column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ column }} >= cast('{{ var("min_date") }}' as date) and {{ column }} < cast('{{ var("max_date") }}' as date)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#-
    Day-grained sources (gateway logs and spans) land whole days and re-land only the run's refresh
    window, never a restated billing month: models built only from them rebuild
    [var('landed_min_date'), var('max_date')), which Dagster sets to the refresh window's first day.
    Without the var they follow min_date. A first or full-refresh build takes every day.
-#}
{% macro landed_min_date() -%}
    {{- var('landed_min_date', var('min_date')) -}}
{%- endmacro %}

{% macro in_landed_window(column) -%}
    {%- if is_incremental() -%}
        {{ column }} >= cast('{{ landed_min_date() }}' as date) and {{ column }} < cast('{{ var("max_date") }}' as date)
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{% macro delete_landed_window(column) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ column }} >= cast('{{ landed_min_date() }}' as date) and {{ column }} < cast('{{ var("max_date") }}' as date)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
