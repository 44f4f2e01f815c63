{#-
    Requests whose prompts were recorded somewhere we can see: Bedrock invocation logs that carried
    request or response bodies, and GenAI spans with content attributes. Only the fact is landed,
    never the text. Each request is attributed through int_credentials_attributed, as usage is.
    An incremental table over the refresh window: a daily run reads the window's records only.
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        meta={'aiuw': {'test_days': 'window'}},
        **refresh_window_config('usage_date')
    )
}}

with spans as (

    select
        usage_date,
        'otel' as credential_provider,
        service_name as project_id,
        cast(null as {{ dbt.type_string() }}) as api_key_id,
        'span:' || span_id as evidence_key
    from {{ ref('stg_otlp_genai__genai_spans') }}
    where is_recording_prompts and {{ in_refresh_window('usage_date', 'started_at') }}

),

invocations as (

    select
        usage_date,
        'aws_bedrock' as credential_provider,
        account_id as project_id,
        case when model_id like 'arn:%:application-inference-profile/%' then model_id end as api_key_id,
        'bedrock:' || request_id as evidence_key
    from {{ ref('stg_aws_bedrock_invocation_logs__invocations') }}
    where is_content_logged and {{ in_refresh_window('usage_date', 'invoked_at') }}

),

observed as (

    select * from spans
    union all
    select * from invocations

),

credentials as (

    select * from {{ ref('int_credentials_attributed') }}

)

-- attributed like usage: the same credential seen in usage or cost names its application
select
    observed.usage_date,
    observed.credential_provider,
    observed.project_id,
    coalesce(observed.api_key_id, observed.project_id) as credential_id,
    credentials.application_id,
    observed.evidence_key
from observed
left join credentials
    on credentials.credential_provider = observed.credential_provider
    and credentials.project_id = observed.project_id
    and credentials.credential_id = coalesce(observed.api_key_id, observed.project_id)
