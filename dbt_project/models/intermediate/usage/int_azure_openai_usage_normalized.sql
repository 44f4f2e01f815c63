{#-
    Azure OpenAI usage from FOCUS cost rows. Meters map to a model and token type through the
    azure_openai_meters seed and patterns (macro azure_openai_mapped_rows); tokens = PricingQuantity x
    pricing block size. Cached-input meters count in input_tokens and in cache_read_input_tokens.
    The export has no request counts (0), no users and no deployment names: the API key is the
    account (ResourceId) and the project the subscription. service_tier is the deployment type.
-#}

with mapped as (

    {{ azure_openai_mapped_rows() }}

),

token_rows as (

    select
        *,
        case
            when token_type <> 'other' then cast(round(pricing_quantity * block_size) as bigint)
            else cast(0 as bigint)
        end as tokens
    from mapped
    where charge_category = 'Usage'

),

aggregated as (

    select
        source_id,
        usage_date,
        meter_name,
        model_ref,
        subscription_id,
        resource_id,
        deployment_type,
        token_type,
        sum(case when token_type in ('input', 'cache_read_input', 'cache_creation_input') then tokens else 0 end) as input_tokens,
        sum(case when token_type = 'cache_read_input' then tokens else 0 end) as cache_read_input_tokens,
        sum(case when token_type = 'cache_creation_input' then tokens else 0 end) as cache_creation_input_tokens,
        sum(case when token_type = 'output' then tokens else 0 end) as output_tokens,
        sum(case when token_type = 'other' then consumed_quantity end) as unit_count,
        max(case when token_type = 'other' then consumed_unit end) as unit
    from token_rows
    group by 1, 2, 3, 4, 5, 6, 7, 8

),

final as (

    select
        source_id,
        'azure_openai' as provider,
        usage_date,
        meter_name as model_name,
        model_ref,
        case
            when model_ref like 'text-embedding%' then 'embeddings'
            when token_type = 'other' then 'other'
            else 'chat'
        end as operation,
        subscription_id as project_id,
        resource_id as api_key_id,
        coalesce(resource_id, subscription_id) as credential_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        deployment_type like '%batch' as is_batch,
        deployment_type as service_tier,
        cast(0 as bigint) as request_count,
        cast(input_tokens as bigint) as input_tokens,
        cast(cache_read_input_tokens as bigint) as cache_read_input_tokens,
        cast(cache_creation_input_tokens as bigint) as cache_creation_input_tokens,
        cast(output_tokens as bigint) as output_tokens,
        cast(null as bigint) as reasoning_output_tokens,
        cast(unit_count as decimal(38, 6)) as unit_count,
        cast(unit as {{ dbt.type_string() }}) as unit,
        false as is_gateway
    from aggregated

)

select * from final
