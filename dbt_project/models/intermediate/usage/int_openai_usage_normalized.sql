{#-
    OpenAI usage on the canonical semantics. OpenAI's input_tokens already include cached and
    cache-write tokens, and output_tokens include reasoning (not split out by the usage API).
-#}

with completions as (

    select * from {{ ref('stg_openai__usage_completions') }}

),

embeddings as (

    select * from {{ ref('stg_openai__usage_embeddings') }}

),

users as (

    select
        user_id,
        email,
        row_number() over (partition by user_id order by snapshot_date desc) as recency
    from {{ ref('stg_openai__users') }}

),

unioned as (

    select
        source_id,
        usage_date,
        model_name,
        'chat' as operation,
        project_id,
        api_key_id,
        user_id,
        coalesce(is_batch, false) as is_batch,
        coalesce(service_tier, 'default') as service_tier,
        request_count,
        input_tokens,
        input_cached_tokens as cache_read_input_tokens,
        input_cache_write_tokens as cache_creation_input_tokens,
        output_tokens
    from completions

    union all

    select
        source_id,
        usage_date,
        model_name,
        'embeddings' as operation,
        project_id,
        api_key_id,
        user_id,
        false as is_batch,
        'default' as service_tier,
        request_count,
        input_tokens,
        cast(0 as bigint) as cache_read_input_tokens,
        cast(0 as bigint) as cache_creation_input_tokens,
        cast(0 as bigint) as output_tokens
    from embeddings

),

final as (

    select
        unioned.source_id,
        'openai' as provider,
        unioned.usage_date,
        unioned.model_name,
        unioned.model_name as model_ref,
        unioned.operation,
        unioned.project_id,
        unioned.api_key_id,
        coalesce(unioned.api_key_id, unioned.project_id) as credential_id,
        users.email as person_id,
        unioned.is_batch,
        unioned.service_tier,
        unioned.request_count,
        unioned.input_tokens,
        unioned.cache_read_input_tokens,
        unioned.cache_creation_input_tokens,
        unioned.output_tokens,
        cast(null as bigint) as reasoning_output_tokens,
        cast(null as decimal(38, 6)) as unit_count,
        cast(null as varchar) as unit,
        false as is_gateway
    from unioned
    left join users
        on unioned.user_id = users.user_id
        and users.recency = 1

)

select * from final
