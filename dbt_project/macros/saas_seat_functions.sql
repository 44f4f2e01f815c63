{#- Conversions the SaaS AI tool models (GitHub Copilot, Cursor, M365 Copilot, ChatGPT) need. -#}

{#- A naive UTC timestamp from ISO-8601 text with a zone ("2026-03-03T17:40:01Z"). -#}
{% macro saas_timestamp_from_iso(column) -%}
    {{ return(adapter.dispatch('saas_timestamp_from_iso', 'ai_usage_warehouse')(column)) }}
{%- endmacro %}

{% macro default__saas_timestamp_from_iso(column) -%}
    cast({{ column }} as timestamp)
{%- endmacro %}

{% macro duckdb__saas_timestamp_from_iso(column) -%}
    cast(cast({{ column }} as timestamptz) at time zone 'UTC' as timestamp)
{%- endmacro %}

{#- A naive UTC timestamp from unix milliseconds (a number or its text). -#}
{% macro saas_timestamp_from_unix_millis(column) -%}
    {{ return(adapter.dispatch('saas_timestamp_from_unix_millis', 'ai_usage_warehouse')(column)) }}
{%- endmacro %}

{% macro default__saas_timestamp_from_unix_millis(column) -%}
    timestamp_millis(cast({{ column }} as bigint))
{%- endmacro %}

{% macro duckdb__saas_timestamp_from_unix_millis(column) -%}
    make_timestamp(cast({{ column }} as bigint) * 1000)
{%- endmacro %}

{#- Dollars from an exact decimal amount in cents, as decimal(38, 10) (multiply, never divide). -#}
{% macro saas_cents_to_dollars(column) -%}
    {{ return(adapter.dispatch('saas_cents_to_dollars', 'ai_usage_warehouse')(column)) }}
{%- endmacro %}

{% macro default__saas_cents_to_dollars(column) -%}
    cast(cast({{ column }} as decimal(38, 10)) * cast(0.01 as decimal(3, 2)) as decimal(38, 10))
{%- endmacro %}

{#- decimal(28, 10) keeps Spark's product exact (see spark__anthropic_cents_to_dollars). -#}
{% macro spark__saas_cents_to_dollars(column) -%}
    cast(cast({{ column }} as decimal(28, 10)) * cast(0.01 as decimal(3, 2)) as decimal(38, 10))
{%- endmacro %}
