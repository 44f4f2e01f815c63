{#-
    Vertex AI billing export rows with their SKU read: model_ref from the SKU description
    ("Gemini 2.5 Flash GA Text Input - Predictions" -> gemini-2.5-flash), token_type from its
    direction (cached/caching input is a cache read; "Caching Storage" is not tokens), and tokens =
    usage.amount when the SKU is a token SKU counted in tokens (unit count/token/tokens).
-#}
{% macro google_vertex_sku_rows() -%}
    {%- set sku = "lower(cost_rows.sku_description)" -%}
    {%- set model_pattern = 'gemini-[0-9]+(\.[0-9]+)?-(pro|flash-lite|flash-image|flash)|text-(multilingual-)?embedding-[0-9]+|multimodalembedding' -%}
    select
        cost_rows.*,
        {{ cloud_regexp_extract("replace(" ~ sku ~ ", ' ', '-')", model_pattern) }} as model_ref,
        case
            when {{ sku }} like '%storage%' then 'other'
            when {{ sku }} like '%cach%' then 'cache_read_input'
            when {{ sku }} like '%input%' then 'input'
            when {{ sku }} like '%output%' then 'output'
            else 'other'
        end as token_type,
        {{ sku }} like '%thinking%' as is_thinking,
        {{ sku }} like '%batch%' as is_batch
    from {{ ref('stg_gcp_billing_export__vertex_cost_rows') }} as cost_rows
{%- endmacro %}
