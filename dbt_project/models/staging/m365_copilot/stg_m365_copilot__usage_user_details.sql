with source as (

    select * from {{ source('m365_copilot', 'usage_user_details') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        tenant_id,
        cast(reportRefreshDate as date) as report_refresh_date,
        reportPeriod as report_period_days,
        -- a hashed name is not an address: only real principal names become the email
        case when is_concealed then null else lower(trim(userPrincipalName)) end as email,
        userPrincipalName as user_principal_name,
        displayName as display_name,
        is_concealed,
        cast(lastActivityDate as date) as last_activity_date,
        cast(microsoftTeamsCopilotLastActivityDate as date) as teams_last_activity_date,
        cast(wordCopilotLastActivityDate as date) as word_last_activity_date,
        cast(excelCopilotLastActivityDate as date) as excel_last_activity_date,
        cast(powerPointCopilotLastActivityDate as date) as powerpoint_last_activity_date,
        cast(outlookCopilotLastActivityDate as date) as outlook_last_activity_date,
        cast(oneNoteCopilotLastActivityDate as date) as onenote_last_activity_date,
        cast(loopCopilotLastActivityDate as date) as loop_last_activity_date,
        cast(copilotChatLastActivityDate as date) as copilot_chat_last_activity_date,
        _pulled_at as pulled_at

    from source

)

select * from renamed
