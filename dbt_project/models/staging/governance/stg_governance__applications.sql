with source as (

    select * from {{ source('governance', 'applications') }}

),

renamed as (

    select
        id as application_id,
        name as application_name,
        owning_team as team_id,
        business_purpose,
        use_category,
        sensitivity_tier,
        lifecycle_status,
        approval_reference,
        cast(approved_on as date) as approved_on,
        cast(retired_on as date) as retired_on,
        cast(prompt_logging_allowed as boolean) as is_prompt_logging_allowed,
        cast(human_review_required as boolean) as is_human_review_required

    from source

)

select * from renamed
