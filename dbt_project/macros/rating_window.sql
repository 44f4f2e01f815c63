{#-
    int_usage_rated re-rates every day of the refresh window for the provider usage APIs (billing
    sources restate the month), but its gateway rows (is_gateway) only from the first re-landed day
    whose landing files changed: a gateway's past days seldom change, and re-rating a month of them
    every day made a run's cost follow the window's length. Dagster passes that day as
    run_var('rated_min_date'): min_date when the warehouse has no record of the days it built or
    the code that builds and rates them changed (orchestration/lib/built_days.py), max_date when no
    re-landed day changed. The older gateway rows of the window are kept only while they were rated
    at the current prices (the catalog version and the overrides file's digest they carry); a new
    catalog or override re-rates the whole window, like the provider rows.
-#}
{% macro rated_window_config() -%}
    {{ return(adapter.dispatch('rated_window_config', 'ai_usage_warehouse')()) }}
{%- endmacro %}

{% macro default__rated_window_config() -%}
    {{ return({'incremental_strategy': 'append', 'pre_hook': "{{ delete_rated_window() }}"}) }}
{%- endmacro %}

{#- Spark overwrites whole day partitions: every row of the window is rated again. -#}
{% macro spark__rated_window_config() -%}
    {{ return(refresh_window_config('usage_date')) }}
{%- endmacro %}

{#- The first day whose gateway rows this run rates (see above); min_date on a first build. -#}
{% macro gateway_rating_min_date() -%}
    {{ return(adapter.dispatch('gateway_rating_min_date', 'ai_usage_warehouse')()) }}
{%- endmacro %}

{% macro default__gateway_rating_min_date() -%}
    {%- set min_date = run_var('min_date') | string | trim -%}
    {%- set first_day = (run_var('rated_min_date') or min_date) | string | trim -%}
    {%- if not (execute and is_incremental()) or first_day <= min_date -%}
        {{ return(min_date) }}
    {%- endif -%}
    {%- set rated_at_other_prices -%}
        select count(*)
        from (
            select distinct catalog_version, overrides_sha256
            from {{ this }}
            where is_gateway
                and usage_date >= cast('{{ min_date }}' as date)
                and usage_date < cast('{{ first_day }}' as date)
        ) as kept
        cross join (
            select
                (select max(catalog_version) from {{ ref('stg_prices__catalog') }}) as catalog_version,
                (select max(overrides_sha256) from {{ ref('stg_governance__price_override_snapshots') }})
                    as overrides_sha256
        ) as current_prices
        where kept.catalog_version is distinct from current_prices.catalog_version
            or kept.overrides_sha256 is distinct from current_prices.overrides_sha256
    {%- endset -%}
    {%- if run_query(rated_at_other_prices).columns[0].values()[0] > 0 -%}
        {%- do log(model.name ~ ": prices changed since the window's gateway rows were rated; re-rating them from " ~ min_date, info=true) -%}
        {{ return(min_date) }}
    {%- endif -%}
    {{ return(first_day) }}
{%- endmacro %}

{% macro spark__gateway_rating_min_date() -%}
    {{ return(run_var('min_date') | string | trim) }}
{%- endmacro %}

{#- DuckDB's pre-hook: the window's provider rows and the gateway rows this run rates again. -#}
{% macro delete_rated_window() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where usage_date >= cast('{{ run_var('min_date') }}' as date)
            and usage_date < cast('{{ run_var('max_date') }}' as date)
            and (not is_gateway or usage_date >= cast('{{ gateway_rating_min_date() }}' as date))
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
