with source as (

    select * from {{ source('anthropic', 'claude_code_usage') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ anthropic_timestamp_from_rfc3339('date') }} as date) as usage_date,
        organization_id,
        customer_type,
        subscription_type,
        terminal_type,
        actor_type,
        lower(trim(actor_email_address)) as actor_email,
        actor_api_key_name,
        coalesce(lower(trim(actor_email_address)), actor_api_key_name) as actor_id,
        cast(model_position as integer) as model_position,
        model as model_name,
        cast(num_sessions as bigint) as session_count,
        cast(lines_added as bigint) as lines_added,
        cast(lines_removed as bigint) as lines_removed,
        cast(commits_by_claude_code as bigint) as commit_count,
        cast(pull_requests_by_claude_code as bigint) as pull_request_count,
        cast(edit_tool_accepted as bigint) as edit_tool_accepted,
        cast(edit_tool_rejected as bigint) as edit_tool_rejected,
        cast(multi_edit_tool_accepted as bigint) as multi_edit_tool_accepted,
        cast(multi_edit_tool_rejected as bigint) as multi_edit_tool_rejected,
        cast(write_tool_accepted as bigint) as write_tool_accepted,
        cast(write_tool_rejected as bigint) as write_tool_rejected,
        cast(notebook_edit_tool_accepted as bigint) as notebook_edit_tool_accepted,
        cast(notebook_edit_tool_rejected as bigint) as notebook_edit_tool_rejected,
        cast(coalesce(input_tokens, 0) as bigint) as input_tokens,
        cast(coalesce(output_tokens, 0) as bigint) as output_tokens,
        cast(coalesce(cache_read_tokens, 0) as bigint) as cache_read_tokens,
        cast(coalesce(cache_creation_tokens, 0) as bigint) as cache_creation_tokens,
        -- an estimate in cents, not an invoice amount
        cast(estimated_cost_amount as decimal(38, 10)) as estimated_cost_cents,
        upper(estimated_cost_currency) as currency_code,
        _pulled_at as pulled_at

    from source

)

select * from renamed
