{#- Gateway (LiteLLM, OpenTelemetry GenAI) helpers. -#}

{#-
    The warehouse provider of a gateway row's upstream, from LiteLLM's custom_llm_provider or the
    OpenTelemetry gen_ai.provider.name (gen_ai.system), e.g. azure -> azure_openai,
    aws.bedrock -> aws_bedrock, hosted_vllm -> vllm. Unknown names keep their own, dots as underscores.
-#}
{% macro gateway_upstream_provider(column) -%}
    case lower(trim({{ column }}))
        when 'openai' then 'openai'
        when 'text-completion-openai' then 'openai'
        when 'anthropic' then 'anthropic'
        when 'azure' then 'azure_openai'
        when 'azure_ai' then 'azure_openai'
        when 'azure_text' then 'azure_openai'
        when 'azure.ai.openai' then 'azure_openai'
        when 'azure.ai.inference' then 'azure_openai'
        when 'bedrock' then 'aws_bedrock'
        when 'bedrock_converse' then 'aws_bedrock'
        when 'aws.bedrock' then 'aws_bedrock'
        when 'vertex_ai' then 'google_vertex'
        when 'vertex_ai_beta' then 'google_vertex'
        when 'gcp.vertex_ai' then 'google_vertex'
        when 'gcp.gen_ai' then 'google_vertex'
        when 'gemini' then 'google_gemini'
        when 'gcp.gemini' then 'google_gemini'
        when 'hosted_vllm' then 'vllm'
        when 'vllm' then 'vllm'
        else replace(lower(trim({{ column }})), '.', '_')
    end
{%- endmacro %}

{#- A continuous percentile (fraction in 0..1) as an aggregate. -#}
{% macro gateway_percentile(column, fraction) -%}
    {{ return(adapter.dispatch('gateway_percentile', 'ai_usage_warehouse')(column, fraction)) }}
{%- endmacro %}

{% macro default__gateway_percentile(column, fraction) -%}
    percentile_approx({{ column }}, {{ fraction }})
{%- endmacro %}

{% macro duckdb__gateway_percentile(column, fraction) -%}
    quantile_cont({{ column }}, {{ fraction }})
{%- endmacro %}

{#- Exact and interpolated, as quantile_cont. -#}
{% macro spark__gateway_percentile(column, fraction) -%}
    percentile({{ column }}, {{ fraction }})
{%- endmacro %}

{#-
    A gateway's successful requests summed to the canonical usage contract (see
    int_usage_records_normalized), is_gateway true. Failed requests bill no tokens and are left out
    of request_count; fct_gateway_requests_daily keeps them.
-#}
{% macro gateway_usage_normalized(requests_model) -%}
with requests as (

    select * from {{ ref(requests_model) }}
    where status = 'success' and {{ in_landed_window('usage_date') }}

),

final as (

    select
        source_id,
        provider,
        usage_date,
        model_name,
        model_ref,
        operation,
        project_id,
        api_key_id,
        credential_id,
        person_id,
        false as is_batch,
        'default' as service_tier,
        cast(count(*) as bigint) as request_count,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(cache_read_input_tokens) as bigint) as cache_read_input_tokens,
        cast(sum(cache_creation_input_tokens) as bigint) as cache_creation_input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        cast(sum(reasoning_output_tokens) as bigint) as reasoning_output_tokens,
        cast(null as decimal(38, 6)) as unit_count,
        cast(null as {{ dbt.type_string() }}) as unit,
        true as is_gateway
    from requests
    group by
        source_id, provider, usage_date, model_name, model_ref, operation, project_id, api_key_id,
        credential_id, person_id

)

select * from final
{%- endmacro %}
