{#- A column as a JSON value: a quoted string with backslashes and quotes escaped, or null. -#}
{% macro json_text(column) -%}
    case
        when {{ column }} is null then 'null'
        else {{ dbt.concat([
            "'\"'",
            dbt.replace(dbt.replace(column, "'\\'", "'\\\\'"), "'\"'", "'\\\"'"),
            "'\"'",
        ]) }}
    end
{%- endmacro %}
