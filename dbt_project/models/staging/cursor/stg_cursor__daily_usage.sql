with source as (

    select * from {{ source('cursor', 'daily_usage') }}

),

renamed as (

    select
        _source_id as source_id,
        cast({{ saas_timestamp_from_unix_millis(adapter.quote('date')) }} as date) as activity_date,
        lower(trim(email)) as email,
        isActive as is_active,
        totalLinesAdded as total_lines_added,
        totalLinesDeleted as total_lines_deleted,
        acceptedLinesAdded as accepted_lines_added,
        acceptedLinesDeleted as accepted_lines_deleted,
        totalApplies as total_applies,
        totalAccepts as total_accepts,
        totalRejects as total_rejects,
        totalTabsShown as total_tabs_shown,
        totalTabsAccepted as total_tabs_accepted,
        composerRequests as composer_requests,
        chatRequests as chat_requests,
        agentRequests as agent_requests,
        cmdkUsages as cmdk_usages,
        subscriptionIncludedReqs as subscription_included_requests,
        apiKeyReqs as api_key_requests,
        usageBasedReqs as usage_based_requests,
        bugbotUsages as bugbot_usages,
        mostUsedModel as most_used_model_name,
        applyMostUsedExtension as apply_most_used_extension,
        tabMostUsedExtension as tab_most_used_extension,
        clientVersion as client_version,
        _pulled_at as pulled_at

    from source

)

select * from renamed
