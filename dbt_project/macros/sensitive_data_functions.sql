{#-
    One row per entry of a JSON object of counts held as text ({"EMAIL_ADDRESS": 2}; none for {} or
    null), as a struct with fields `key` (text) and `value` (bigint); a select-list expression.
-#}
{% macro json_count_map_entries(column) -%}
    {{ return(adapter.dispatch('json_count_map_entries', 'ai_usage_warehouse')(column)) }}
{%- endmacro %}

{% macro default__json_count_map_entries(column) -%}
    explode(map_entries(from_json({{ column }}, 'map<string,bigint>')))
{%- endmacro %}

{% macro duckdb__json_count_map_entries(column) -%}
    unnest(map_entries(from_json({{ column }}, '"MAP(VARCHAR, BIGINT)"')))
{%- endmacro %}
