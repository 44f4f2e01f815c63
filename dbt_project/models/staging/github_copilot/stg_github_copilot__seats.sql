with source as (

    select * from {{ source('github_copilot', 'seats') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        assignee_login,
        assignee_id,
        assignee_type,
        lower(trim(assignee_email)) as assignee_email,
        assigning_team_id,
        assigning_team_slug,
        plan_type,
        {{ saas_timestamp_from_iso('created_at') }} as seat_created_at,
        {{ saas_timestamp_from_iso('updated_at') }} as seat_updated_at,
        cast(pending_cancellation_date as date) as pending_cancellation_date,
        {{ saas_timestamp_from_iso('last_activity_at') }} as last_activity_at,
        last_activity_editor,
        {{ saas_timestamp_from_iso('last_authenticated_at') }} as last_authenticated_at,
        _pulled_at as pulled_at

    from source

)

select * from renamed
