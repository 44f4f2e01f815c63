{#-
    Usage from a credential that no application declares (shadow AI): unattributed usage rows, plus
    gateway traffic from undeclared gateway keys or services to providers that report directly (that
    traffic is usage once, under the provider's own report, but the gateway shows who sent it).
-#}

with usage as (

    select
        usage_key,
        usage_date,
        application_id,
        team_id,
        credential_provider,
        project_id,
        credential_id,
        provider,
        model_id,
        person_id,
        request_count,
        total_tokens
    from {{ ref('int_usage_governed') }}
    where application_id is null

),

declared as (

    select * from {{ ref('stg_governance__application_credentials') }}

),

providers_reporting_directly as (

    select distinct provider from {{ ref('int_ai_usage_daily') }} where not is_gateway

),

gateway as (

    select
        gateway_request_key as usage_key,
        usage_date,
        cast(null as {{ dbt.type_string() }}) as application_id,
        cast(null as {{ dbt.type_string() }}) as team_id,
        gateway as credential_provider,
        application_key as project_id,
        application_key as credential_id,
        provider,
        model_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        request_count,
        input_tokens + output_tokens as total_tokens
    from {{ ref('int_gateway_requests_daily') }} as requests
    where provider in (select provider from providers_reporting_directly)
        and not exists (
            select 1 from declared
            where declared.provider = requests.gateway
                and declared.credential_id = requests.application_key
        )

)

select 'shadow_credential' as rule, usage.* from usage
union all
select 'shadow_credential' as rule, gateway.* from gateway
