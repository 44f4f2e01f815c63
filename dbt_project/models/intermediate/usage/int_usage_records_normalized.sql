{#-
    The one place token semantics are normalized to the canonical, inclusive form:
    input_tokens counts every input token (cache reads and writes included), output_tokens counts
    every output token (reasoning included), and the components stay as columns.
    Each provider gets a CTE here and nowhere else.
-#}

with openai_completions as (

    select
        source_id,
        'openai' as provider,
        usage_date,
        model_name,
        {{ canonical_model_id('model_name') }} as model_id,
        'chat' as operation,
        project_id,
        api_key_id,
        user_id as provider_user_id,
        coalesce(is_batch, false) as is_batch,
        coalesce(service_tier, 'default') as service_tier,
        request_count,
        -- OpenAI's input_tokens already include cached and cache-write tokens.
        input_tokens,
        input_cached_tokens as cache_read_input_tokens,
        input_cache_write_tokens as cache_creation_input_tokens,
        -- OpenAI's output_tokens already include reasoning tokens; the usage API does not split them out.
        output_tokens,
        cast(null as bigint) as reasoning_output_tokens

    from {{ ref('stg_openai__usage_completions') }}

),

openai_embeddings as (

    select
        source_id,
        'openai' as provider,
        usage_date,
        model_name,
        {{ canonical_model_id('model_name') }} as model_id,
        'embeddings' as operation,
        project_id,
        api_key_id,
        user_id as provider_user_id,
        false as is_batch,
        'default' as service_tier,
        request_count,
        input_tokens,
        cast(0 as bigint) as cache_read_input_tokens,
        cast(0 as bigint) as cache_creation_input_tokens,
        cast(0 as bigint) as output_tokens,
        cast(null as bigint) as reasoning_output_tokens

    from {{ ref('stg_openai__usage_embeddings') }}

),

unioned as (

    select * from openai_completions
    union all
    select * from openai_embeddings

),

final as (

    select
        *,
        coalesce(api_key_id, project_id) as credential_id,
        input_tokens - cache_read_input_tokens - cache_creation_input_tokens as uncached_input_tokens

    from unioned

)

select * from final
