with source as (

    select * from {{ source('github_copilot', 'user_model_feature_metrics') }}

),

renamed as (

    select
        _source_id as source_id,
        cast(day as date) as activity_date,
        user_id,
        user_login,
        model as model_name,
        feature,
        user_initiated_interaction_count,
        code_generation_activity_count,
        code_acceptance_activity_count,
        _pulled_at as pulled_at

    from source

)

select * from renamed
