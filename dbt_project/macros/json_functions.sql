{#- A column as a JSON value: a quoted string with backslashes and quotes escaped, or null. -#}
{% macro json_text(column) -%}
    case
        when {{ column }} is null then 'null'
        else {{ dbt.concat(["'\"'", json_escaped(column), "'\"'"]) }}
    end
{%- endmacro %}

{#- Text with each backslash and double quote escaped by a backslash, as inside a JSON string. -#}
{% macro json_escaped(column) -%}
    {{ return(adapter.dispatch('json_escaped', 'ai_usage_warehouse')(column)) }}
{%- endmacro %}

{% macro default__json_escaped(column) -%}
    {{ dbt.replace(dbt.replace(column, "'\\'", "'\\\\'"), "'\"'", "'\\\"'") }}
{%- endmacro %}

{#- Spark unescapes backslashes in string literals: each backslash is written twice. -#}
{% macro spark__json_escaped(column) -%}
    replace(replace({{ column }}, '\\', '\\\\'), '"', '\\"')
{%- endmacro %}
