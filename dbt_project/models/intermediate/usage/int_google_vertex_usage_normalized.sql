{#-
    Vertex AI usage from the Cloud Billing export. One SKU per model x direction: input and cached
    input (a cache read, counted in input_tokens too), output and thinking output (output includes
    thinking; thinking is also reasoning_output_tokens). Tokens = usage.amount for token SKUs (macro
    google_vertex_sku_rows); other SKUs (context cache storage) are unit_count in their unit. The
    export has no request counts (0) and no keys: the project is the credential.
-#}

with sku_rows as (

    {{ google_vertex_sku_rows() }}

),

token_rows as (

    select
        *,
        case
            when token_type <> 'other' and lower(usage_unit) in ('count', 'token', 'tokens')
                then cast(round(usage_amount) as bigint)
            else cast(0 as bigint)
        end as tokens
    from sku_rows
    where coalesce(cost_type, 'regular') = 'regular'

),

aggregated as (

    select
        source_id,
        usage_date,
        sku_description,
        model_ref,
        project_id,
        token_type,
        is_batch,
        is_thinking,
        sum(case when token_type in ('input', 'cache_read_input', 'cache_creation_input') then tokens else 0 end) as input_tokens,
        sum(case when token_type = 'cache_read_input' then tokens else 0 end) as cache_read_input_tokens,
        sum(case when token_type = 'cache_creation_input' then tokens else 0 end) as cache_creation_input_tokens,
        sum(case when token_type = 'output' then tokens else 0 end) as output_tokens,
        sum(case when tokens = 0 then usage_amount end) as unit_count,
        max(case when tokens = 0 then usage_unit end) as unit
    from token_rows
    group by 1, 2, 3, 4, 5, 6, 7, 8

),

final as (

    select
        source_id,
        'google_vertex' as provider,
        usage_date,
        sku_description as model_name,
        model_ref,
        case
            when model_ref like '%embedding%' then 'embeddings'
            when sku_description like '%Storage%' then 'context_cache_storage'
            else 'chat'
        end as operation,
        project_id,
        cast(null as {{ dbt.type_string() }}) as api_key_id,
        project_id as credential_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        is_batch,
        'default' as service_tier,
        cast(0 as bigint) as request_count,
        cast(input_tokens as bigint) as input_tokens,
        cast(cache_read_input_tokens as bigint) as cache_read_input_tokens,
        cast(cache_creation_input_tokens as bigint) as cache_creation_input_tokens,
        cast(output_tokens as bigint) as output_tokens,
        case when is_thinking then cast(output_tokens as bigint) end as reasoning_output_tokens,
        cast(unit_count as decimal(38, 6)) as unit_count,
        cast(unit as {{ dbt.type_string() }}) as unit,
        false as is_gateway
    from aggregated

)

select * from final
