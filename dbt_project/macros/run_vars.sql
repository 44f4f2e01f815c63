{#-
    A run's settings: the refresh window (min_date, max_date, landed_min_date), history_start and
    the Copilot service plans. Dagster hands them to dbt as environment variables
    (AIUW_DBT_<NAME>, JSON for a mapping) rather than `--vars`: dbt re-parses the whole project
    whenever `--vars` change, which cost every daily run about 10 s, while a changed environment
    variable re-parses only the files that read it while parsing (none, for the window). `--vars`
    still sets them for a dbt command run by hand; the variable wins when both are set.
-#}
{% macro run_var(name, default=none) -%}
    {%- set value = env_var('AIUW_DBT_' ~ (name | upper), '') -%}
    {%- if value -%}
        {{- return(fromjson(value) if value.startswith('{') else value) -}}
    {%- endif -%}
    {{- return(var(name, default)) -}}
{%- endmacro %}
