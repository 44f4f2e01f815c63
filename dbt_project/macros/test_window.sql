{#-
    Tests of a model flagged `meta: {aiuw: {test_days: landed}}` check only the days the run
    re-landed and rebuilt (usage_date in [landed_min_date, max_date)); the other days were checked
    by the runs that built them, so a daily run never rescans the whole history of request-level
    tables. Without window vars every day is tested. Otherwise this is dbt's own `where` handling.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set tested = graph.nodes.get(model.get('attached_node') or '') if execute else none -%}
    {%- if tested and (tested.get('config', {}).get('meta', {}).get('aiuw') or {}).get('test_days') == 'landed' -%}
        {%- set landed -%}
            usage_date >= cast('{{ landed_min_date() }}' as date) and usage_date < cast('{{ var("max_date") }}' as date)
        {%- endset -%}
        {%- set where = '(' ~ where ~ ') and ' ~ landed if where else landed -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
