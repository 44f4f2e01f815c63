{#-
    Anthropic Messages usage on the canonical semantics. Anthropic splits input into disjoint parts,
    so canonical input = uncached + cache reads + 5-minute + 1-hour cache writes, and cache creation =
    both cache writes. The report has no request count: request_count is 0, as in the ground truth.
    Web searches are a separate row (operation web_search, unit searches, zero tokens). Claude Code
    usage (stg_anthropic__claude_code_usage) is deliberately not here: it is an estimate for seat
    users, and its API traffic is already in the Messages report.
-#}

with messages as (

    select
        *,
        coalesce(workspace_id, 'default') as project_id
    from {{ ref('stg_anthropic__usage_messages') }}

),

unioned as (

    select
        source_id,
        usage_date,
        model_name,
        'chat' as operation,
        project_id,
        api_key_id,
        service_tier,
        uncached_input_tokens
            + cache_read_input_tokens
            + cache_creation_5m_input_tokens
            + cache_creation_1h_input_tokens as input_tokens,
        cache_read_input_tokens,
        cache_creation_5m_input_tokens + cache_creation_1h_input_tokens as cache_creation_input_tokens,
        cache_creation_1h_input_tokens,
        output_tokens,
        context_window,
        cast(null as decimal(38, 6)) as unit_count,
        cast(null as {{ dbt.type_string() }}) as unit
    from messages

    union all

    select
        source_id,
        usage_date,
        model_name,
        'web_search' as operation,
        project_id,
        api_key_id,
        service_tier,
        cast(0 as bigint) as input_tokens,
        cast(0 as bigint) as cache_read_input_tokens,
        cast(0 as bigint) as cache_creation_input_tokens,
        cast(0 as bigint) as cache_creation_1h_input_tokens,
        cast(0 as bigint) as output_tokens,
        context_window,
        cast(web_search_requests as decimal(38, 6)) as unit_count,
        'searches' as unit
    from messages
    where web_search_requests > 0

),

final as (

    select
        source_id,
        'anthropic' as provider,
        usage_date,
        model_name,
        model_name as model_ref,
        operation,
        project_id,
        api_key_id,
        coalesce(api_key_id, project_id) as credential_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        coalesce(service_tier, 'standard') = 'batch' as is_batch,
        coalesce(service_tier, 'standard') as service_tier,
        cast(0 as bigint) as request_count,
        cast(sum(input_tokens) as bigint) as input_tokens,
        cast(sum(cache_read_input_tokens) as bigint) as cache_read_input_tokens,
        cast(sum(cache_creation_input_tokens) as bigint) as cache_creation_input_tokens,
        cast(sum(cache_creation_1h_input_tokens) as bigint) as cache_creation_1h_input_tokens,
        cast(sum(output_tokens) as bigint) as output_tokens,
        cast(null as bigint) as reasoning_output_tokens,
        {{ anthropic_context_band_min_tokens('context_window') }} as context_band_min_tokens,
        cast(sum(unit_count) as decimal(38, 6)) as unit_count,
        unit,
        false as is_gateway
    from unioned
    group by
        source_id,
        usage_date,
        model_name,
        operation,
        project_id,
        api_key_id,
        coalesce(service_tier, 'standard'),
        unit,
        context_window

)

select * from final
