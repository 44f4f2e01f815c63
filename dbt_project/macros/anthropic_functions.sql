{#- Conversions the Anthropic models need, written once. -#}

{#- A naive UTC timestamp from RFC 3339 text ("2026-03-01T00:00:00Z", any offset). -#}
{% macro anthropic_timestamp_from_rfc3339(column) -%}
    {{ return(adapter.dispatch('anthropic_timestamp_from_rfc3339', 'ai_usage_warehouse')(column)) }}
{%- endmacro %}

{% macro default__anthropic_timestamp_from_rfc3339(column) -%}
    cast({{ column }} as timestamp)
{%- endmacro %}

{% macro duckdb__anthropic_timestamp_from_rfc3339(column) -%}
    cast(cast({{ column }} as timestamptz) at time zone 'UTC' as timestamp)
{%- endmacro %}

{#-
    Dollars from an exact decimal amount in cents, as decimal(38, 10). Multiplying by the decimal
    literal 0.01 stays exact; dividing by 100 goes through DOUBLE on some engines (DuckDB) and loses
    digits of large amounts.
-#}
{% macro anthropic_cents_to_dollars(column) -%}
    {{ return(adapter.dispatch('anthropic_cents_to_dollars', 'ai_usage_warehouse')(column)) }}
{%- endmacro %}

{% macro default__anthropic_cents_to_dollars(column) -%}
    cast({{ column }} * cast(0.01 as decimal(3, 2)) as decimal(38, 10))
{%- endmacro %}

{#-
    The smallest request size (input tokens) of the usage report's context_window bucket:
    '0-200k' -> 0, '200k-1M' -> 200000. Rating picks the context band from it, so reported long-
    context requests pay their band and daily totals never select one.
-#}
{% macro anthropic_context_band_min_tokens(column) -%}
    case
        when {{ column }} is null then cast(null as bigint)
        when lower({{ dbt.split_part(column, "'-'", 1) }}) like '%m'
            then cast(replace(lower({{ dbt.split_part(column, "'-'", 1) }}), 'm', '') as bigint) * 1000000
        when lower({{ dbt.split_part(column, "'-'", 1) }}) like '%k'
            then cast(replace(lower({{ dbt.split_part(column, "'-'", 1) }}), 'k', '') as bigint) * 1000
        else cast({{ dbt.split_part(column, "'-'", 1) }} as bigint)
    end
{%- endmacro %}

{#-
    Spark types decimal(38, 10) x decimal(3, 2) as decimal(38, 8) (it trims the scale when the exact
    type would pass 38 digits); from decimal(28, 10) the product is decimal(32, 12), exact.
-#}
{% macro spark__anthropic_cents_to_dollars(column) -%}
    cast(cast({{ column }} as decimal(28, 10)) * cast(0.01 as decimal(3, 2)) as decimal(38, 10))
{%- endmacro %}
