{#-
    Tests of a model flagged `meta: {aiuw: {test_days: ...}}` check only the days the run rebuilt:
    `window` the refresh window (usage_date in [min_date, max_date)), `landed` the days it re-landed
    (usage_date in [landed_min_date, max_date)). The other days were checked by the runs that built
    them, so a daily run never rescans the whole history of its big incremental tables; the weekly
    whole-history validation passes no window and tests every day. Otherwise this is dbt's own
    `where` handling.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set tested = graph.nodes.get(model.get('attached_node') or '') if execute else none -%}
    {%- set test_days = (tested.get('config', {}).get('meta', {}).get('aiuw') or {}).get('test_days') if tested else none -%}
    {%- if test_days in ('landed', 'window') -%}
        {%- set first_day = landed_min_date() if test_days == 'landed' else run_var('min_date') -%}
        {%- set days -%}
            usage_date >= cast('{{ first_day }}' as date) and usage_date < cast('{{ run_var('max_date') }}' as date)
        {%- endset -%}
        {%- set where = '(' ~ where ~ ') and ' ~ days if where else days -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
