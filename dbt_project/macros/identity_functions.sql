{#- Conversions the identity source models need, written once. -#}

{#- A naive UTC timestamp from ISO-8601 text with an offset or Z ("2026-09-03T00:00:00.000Z"). -#}
{% macro identity_timestamp(column) -%}
    {{ return(adapter.dispatch('identity_timestamp', 'ai_usage_warehouse')(column)) }}
{%- endmacro %}

{% macro default__identity_timestamp(column) -%}
    cast({{ column }} as timestamp)
{%- endmacro %}

{% macro duckdb__identity_timestamp(column) -%}
    cast(cast({{ column }} as timestamptz) at time zone 'UTC' as timestamp)
{%- endmacro %}

{#- An email or login normalized for matching: trimmed and lower case. -#}
{% macro normalized_email(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}
