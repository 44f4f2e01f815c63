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

other_usage as (

    {%- set keyless = "cast(null as " ~ dbt.type_string() ~ ") as user_id, cast(null as " ~ dbt.type_string() ~ ") as api_key_id" %}

    select source_id, usage_date, project_id, user_id, api_key_id, model_name, model_name as model_ref,
        'moderation' as operation, request_count, input_tokens,
        cast(null as decimal(38, 6)) as unit_count, cast(null as {{ dbt.type_string() }}) as unit
    from {{ ref('stg_openai__usage_moderations') }}

    union all
    select source_id, usage_date, project_id, user_id, api_key_id, model_name, model_name,
        case image_source
            when 'image.edit' then 'image_edit'
            when 'image.variation' then 'image_variation'
            else 'image_generation'
        end,
        request_count, cast(0 as bigint), cast(images as decimal(38, 6)), 'images'
    from {{ ref('stg_openai__usage_images') }}

    union all
    select source_id, usage_date, project_id, user_id, api_key_id, model_name, model_name,
        'text_to_speech', request_count, cast(0 as bigint), cast(characters as decimal(38, 6)), 'characters'
    from {{ ref('stg_openai__usage_audio_speeches') }}

    union all
    select source_id, usage_date, project_id, user_id, api_key_id, model_name, model_name,
        'speech_to_text', request_count, cast(0 as bigint), cast(seconds as decimal(38, 6)), 'seconds'
    from {{ ref('stg_openai__usage_audio_transcriptions') }}

    -- tools that are not models get a tool name as model reference, matching their cost line items
    union all
    select source_id, usage_date, project_id, {{ keyless }}, cast(null as {{ dbt.type_string() }}), 'vector-store',
        'vector_store_storage', cast(0 as bigint), cast(0 as bigint), cast(usage_bytes as decimal(38, 6)), 'bytes'
    from {{ ref('stg_openai__usage_vector_stores') }}

    union all
    select source_id, usage_date, project_id, {{ keyless }}, cast(null as {{ dbt.type_string() }}), 'code-interpreter',
        'code_interpreter', cast(0 as bigint), cast(0 as bigint), cast(num_sessions as decimal(38, 6)), 'sessions'
    from {{ ref('stg_openai__usage_code_interpreter_sessions') }}

    union all
    select source_id, usage_date, project_id, user_id, api_key_id, cast(null as {{ dbt.type_string() }}), 'file-search',
        'file_search', cast(0 as bigint), cast(0 as bigint), cast(num_requests as decimal(38, 6)), 'calls'
    from {{ ref('stg_openai__usage_file_search_calls') }}

    union all
    select source_id, usage_date, project_id, user_id, api_key_id, model_name, model_name,
        'web_search', request_count, cast(0 as bigint), cast(num_requests as decimal(38, 6)), 'calls'
    from {{ ref('stg_openai__usage_web_search_calls') }}

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
        model_name as model_ref,
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
        output_tokens,
        cast(null as decimal(38, 6)) as unit_count,
        cast(null as {{ dbt.type_string() }}) as unit
    from completions

    union all

    select
        source_id,
        usage_date,
        model_name,
        model_name as model_ref,
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
        cast(0 as bigint) as output_tokens,
        cast(null as decimal(38, 6)) as unit_count,
        cast(null as {{ dbt.type_string() }}) as unit
    from embeddings

    union all

    select
        source_id,
        usage_date,
        model_name,
        model_ref,
        operation,
        project_id,
        api_key_id,
        user_id,
        false as is_batch,
        'default' as service_tier,
        request_count,
        input_tokens,
        cast(0 as bigint) as cache_read_input_tokens,
        cast(0 as bigint) as cache_creation_input_tokens,
        cast(0 as bigint) as output_tokens,
        unit_count,
        unit
    from other_usage

),

final as (

    select
        unioned.source_id,
        'openai' as provider,
        unioned.usage_date,
        unioned.model_name,
        unioned.model_ref,
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
        unioned.unit_count,
        unioned.unit,
        false as is_gateway
    from unioned
    left join users
        on unioned.user_id = users.user_id
        and users.recency = 1

)

select * from final
