{#-
    Reading Amazon Bedrock CUR 2.0 rows. The usage type carries the region, the model and the token
    type, in two families (AWS Bedrock cost docs):
      USE1-Claude4.5Sonnet-input-tokens / -output-tokens / -cache-read-input-token-count /
      -cache-write-input-token-count (and *-mantle-input-tokens-*)       -> model from the usage type
      USE1-MP:USE1_InputTokenCount-Units / _CacheWrite1hInputTokenCount-Units (Marketplace-sold
      "(Amazon Bedrock Edition)" models)                                 -> model from product_name
    The resource id is a foundation-model, inference-profile or application-inference-profile ARN.
-#}

{#- input, cache_read_input, cache_creation_input, output or other. -#}
{% macro aws_bedrock_token_type(usage_type) -%}
    case
        when lower({{ usage_type }}) like '%cache-read%' or lower({{ usage_type }}) like '%cacheread%' then 'cache_read_input'
        when lower({{ usage_type }}) like '%cache-write%' or lower({{ usage_type }}) like '%cachewrite%' then 'cache_creation_input'
        when lower({{ usage_type }}) like '%input-token%' or lower({{ usage_type }}) like '%inputtokencount%' then 'input'
        when lower({{ usage_type }}) like '%output-token%' or lower({{ usage_type }}) like '%outputtokencount%' then 'output'
        else 'other'
    end
{%- endmacro %}

{#- The model as the bill names it: the usage type's model part, or the Marketplace product name. -#}
{% macro aws_bedrock_model_name(usage_type, product_name) -%}
    case
        when {{ usage_type }} like '%MP:%' then {{ product_name }}
        else {{ regexp_replace_all(
            regexp_replace_all(usage_type, '^[A-Z]{2,4}[0-9]?-', ''),
            '-(mantle-)?(input|output|cache-read-input|cache-write-input)-token.*$',
            ''
        ) }}
    end
{%- endmacro %}

{#- True for ARNs that name the model (foundation model or system inference profile) after the '/'. -#}
{% macro aws_bedrock_names_model(resource_id) -%}
    ({{ resource_id }} like 'arn:%:foundation-model/%' or {{ resource_id }} like 'arn:%:inference-profile/%')
{%- endmacro %}

{#-
    The model reference as invocation logs write modelId: the model or system-profile id from the ARN
    (anthropic.claude-..., us.anthropic.claude-...), else the application-inference-profile ARN.
-#}
{% macro aws_bedrock_model_key(resource_id) -%}
    case
        when {{ aws_bedrock_names_model(resource_id) }} then {{ dbt.split_part(resource_id, "'/'", 2) }}
        else {{ resource_id }}
    end
{%- endmacro %}

{#-
    The Bedrock model id: from the resource ARN when it names the model; for application inference
    profiles (opaque ids) from the model named in the usage type or product name; else the ARN.
-#}
{% macro aws_bedrock_model_ref(resource_id, model_name) -%}
    {%- set known = {
        'claude4.5sonnet': 'anthropic.claude-sonnet-4-5-20250929-v1:0',
        'claude sonnet 4.5 (amazon bedrock edition)': 'anthropic.claude-sonnet-4-5-20250929-v1:0',
        'claude4.5haiku': 'anthropic.claude-haiku-4-5-20251001-v1:0',
        'claude haiku 4.5 (amazon bedrock edition)': 'anthropic.claude-haiku-4-5-20251001-v1:0',
        'claude4opus': 'anthropic.claude-opus-4-20250514-v1:0',
        'claude4sonnet': 'anthropic.claude-sonnet-4-20250514-v1:0',
        'claude3.7sonnet': 'anthropic.claude-3-7-sonnet-20250219-v1:0',
        'claude3.5haiku': 'anthropic.claude-3-5-haiku-20241022-v1:0',
        'claude3haiku': 'anthropic.claude-3-haiku-20240307-v1:0',
        'llama3.3-70b-instruct': 'meta.llama3-3-70b-instruct-v1:0',
        'titanembeddingsv2-text': 'amazon.titan-embed-text-v2:0',
        'novamicro': 'amazon.nova-micro-v1:0',
        'novalite': 'amazon.nova-lite-v1:0',
        'novapro': 'amazon.nova-pro-v1:0',
    } -%}
    case
        when {{ aws_bedrock_names_model(resource_id) }} then {{ dbt.split_part(resource_id, "'/'", 2) }}
        {%- for name, model_id in known.items() %}
        when lower({{ model_name }}) = '{{ name }}' then '{{ model_id }}'
        {%- endfor %}
        else coalesce({{ resource_id }}, {{ model_name }})
    end
{%- endmacro %}
