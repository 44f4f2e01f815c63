with source as (

    select * from {{ source('github_copilot', 'user_metrics') }}

),

renamed as (

    select
        _source_id as source_id,
        cast(day as date) as activity_date,
        user_id,
        user_login,
        organization_id,
        enterprise_id,
        user_initiated_interaction_count,
        code_generation_activity_count,
        code_acceptance_activity_count,
        loc_suggested_to_add_sum,
        loc_suggested_to_delete_sum,
        loc_added_sum,
        loc_deleted_sum,
        used_agent as has_used_agent,
        used_chat as has_used_chat,
        used_cli as has_used_cli,
        used_copilot_coding_agent as has_used_coding_agent,
        used_copilot_code_review_active as has_used_code_review_active,
        used_copilot_code_review_passive as has_used_code_review_passive,
        totals_by_ide_json,
        totals_by_feature_json,
        _pulled_at as pulled_at

    from source

)

select * from renamed
