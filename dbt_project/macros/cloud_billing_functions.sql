{#- Regular-expression functions for the cloud billing normalizations, behind adapter dispatch. -#}

{#- True when the column contains a match of the pattern. -#}
{% macro cloud_regexp_matches(column, pattern) -%}
    {{ return(adapter.dispatch('cloud_regexp_matches', 'ai_usage_warehouse')(column, pattern)) }}
{%- endmacro %}

{% macro default__cloud_regexp_matches(column, pattern) -%}
    regexp_contains({{ column }}, r'{{ pattern }}')
{%- endmacro %}

{% macro duckdb__cloud_regexp_matches(column, pattern) -%}
    regexp_matches({{ column }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__cloud_regexp_matches(column, pattern) -%}
    ({{ column }} rlike '{{ spark_regex(pattern) }}')
{%- endmacro %}

{#- The first whole match of the pattern, or null. -#}
{% macro cloud_regexp_extract(column, pattern) -%}
    {{ return(adapter.dispatch('cloud_regexp_extract', 'ai_usage_warehouse')(column, pattern)) }}
{%- endmacro %}

{% macro default__cloud_regexp_extract(column, pattern) -%}
    regexp_extract({{ column }}, r'({{ pattern }})')
{%- endmacro %}

{% macro duckdb__cloud_regexp_extract(column, pattern) -%}
    nullif(regexp_extract({{ column }}, '{{ pattern }}', 0), '')
{%- endmacro %}

{% macro spark__cloud_regexp_extract(column, pattern) -%}
    nullif(regexp_extract({{ column }}, '{{ spark_regex(pattern) }}', 0), '')
{%- endmacro %}
