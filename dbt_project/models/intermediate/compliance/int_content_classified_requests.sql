{#-
    Every request whose prompt or completion text a connector classified, once, with its provider,
    model and attribution: Bedrock invocations with inline bodies, model-call spans with content
    (agent and tool spans pass the same text on to a model call, so they are left out) and LiteLLM
    requests whose proxy stored prompts (a request the API and an export both landed is one
    request: the API's row is kept, as in int_litellm_requests). Only what the text held lands
    (sensitive_entity_counts_json); requests without text are not here. Attributed through
    int_credentials_attributed, as usage is.

    An incremental table over the refresh window, like the usage marts: a daily run reads the
    window's request records, not every request ever landed, and a request is one per day (its
    records all carry the same timestamp).
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        meta={'aiuw': {'test_days': 'window'}},
        **refresh_window_config('usage_date')
    )
}}

with bedrock_profiles as (

    -- an application inference profile's modelId is its ARN: the bill names the model behind it
    select api_key_id, min(model_id) as model_id
    from {{ ref('int_usage_records_normalized') }}
    where provider = 'aws_bedrock' and api_key_id like 'arn:%:application-inference-profile/%'
    group by api_key_id

),

invocations as (

    select
        'bedrock:' || invocations.request_id as evidence_key,
        'aws_bedrock_invocation_logs' as observed_in,
        invocations.usage_date,
        'aws_bedrock' as provider,
        coalesce(bedrock_profiles.model_id, {{ canonical_model_id('invocations.model_id') }}) as model_id,
        'aws_bedrock' as credential_provider,
        invocations.account_id as project_id,
        case
            when invocations.model_id like 'arn:%:application-inference-profile/%' then invocations.model_id
        end as api_key_id,
        invocations.sensitive_entity_counts_json,
        row_number() over (
            partition by invocations.usage_date, invocations.request_id
            order by invocations.pulled_at desc, invocations.source_id
        ) as occurrence
    from {{ ref('stg_aws_bedrock_invocation_logs__invocations') }} as invocations
    left join bedrock_profiles on bedrock_profiles.api_key_id = invocations.model_id
    where invocations.sensitive_entity_counts_json is not null
        and {{ in_refresh_window('invocations.usage_date', 'invocations.invoked_at') }}

),

spans as (

    select
        'span:' || span_id as evidence_key,
        'otlp_genai' as observed_in,
        usage_date,
        {{ gateway_upstream_provider('coalesce(provider_name, system_name)') }} as provider,
        {{ canonical_model_id('coalesce(response_model, request_model)') }} as model_id,
        'otel' as credential_provider,
        service_name as project_id,
        cast(null as {{ dbt.type_string() }}) as api_key_id,
        sensitive_entity_counts_json,
        row_number() over (
            partition by usage_date, trace_id, span_id order by pulled_at desc, source_id
        ) as occurrence
    from {{ ref('stg_otlp_genai__genai_spans') }}
    where sensitive_entity_counts_json is not null
        and {{ in_refresh_window('usage_date', 'started_at') }}
        and operation_name in ('chat', 'text_completion', 'generate_content', 'embeddings')

),

litellm_unioned as (

    select *, 1 as source_priority from {{ ref('stg_litellm__spend_logs') }}
    where sensitive_entity_counts_json is not null and {{ in_refresh_window('usage_date', 'started_at') }}
    union all
    select *, 2 as source_priority from {{ ref('stg_litellm_export__spend_logs') }}
    where sensitive_entity_counts_json is not null and {{ in_refresh_window('usage_date', 'started_at') }}

),

litellm as (

    select
        'litellm:' || request_id as evidence_key,
        'litellm' as observed_in,
        usage_date,
        {{ gateway_upstream_provider('custom_llm_provider') }} as provider,
        {{ canonical_model_id('model_name') }} as model_id,
        'litellm' as credential_provider,
        team_id as project_id,
        api_key_hash as api_key_id,
        sensitive_entity_counts_json,
        row_number() over (
            partition by usage_date, request_id order by source_priority, pulled_at desc, source_id
        ) as occurrence
    from litellm_unioned

),

unioned as (

    select * from invocations where occurrence = 1
    union all
    select * from spans where occurrence = 1
    union all
    select * from litellm where occurrence = 1

),

classified as (

    -- a record that names no provider or model still counts, under 'unknown'
    select
        evidence_key,
        observed_in,
        usage_date,
        coalesce(provider, 'unknown') as provider,
        coalesce(model_id, 'unknown') as model_id,
        credential_provider,
        coalesce(project_id, 'unknown') as project_id,
        api_key_id,
        sensitive_entity_counts_json
    from unioned

),

credentials as (

    select * from {{ ref('int_credentials_attributed') }}

),

catalog as (

    select * from {{ ref('model_catalog') }}

)

select
    classified.evidence_key,
    classified.observed_in,
    classified.usage_date,
    classified.provider,
    classified.model_id,
    coalesce(catalog.model_family, classified.model_id) as model_family,
    classified.credential_provider,
    classified.project_id,
    coalesce(classified.api_key_id, classified.project_id) as credential_id,
    credentials.application_id,
    credentials.team_id,
    classified.sensitive_entity_counts_json
from classified
left join catalog on catalog.model_id = classified.model_id
left join credentials
    on credentials.credential_provider = classified.credential_provider
    and credentials.project_id = classified.project_id
    and credentials.credential_id = coalesce(classified.api_key_id, classified.project_id)
