with source as (

    select * from {{ source('github_copilot', 'organization_metrics') }}

),

renamed as (

    select
        _source_id as source_id,
        cast(day as date) as activity_date,
        organization_id,
        enterprise_id,
        daily_active_users,
        weekly_active_users,
        monthly_active_users,
        monthly_active_chat_users,
        monthly_active_agent_users,
        user_initiated_interaction_count,
        code_generation_activity_count,
        code_acceptance_activity_count,
        loc_suggested_to_add_sum,
        loc_suggested_to_delete_sum,
        loc_added_sum,
        loc_deleted_sum,
        pull_requests_total_created,
        pull_requests_total_merged,
        totals_by_feature_json,
        totals_by_model_feature_json,
        _pulled_at as pulled_at

    from source

)

select * from renamed
