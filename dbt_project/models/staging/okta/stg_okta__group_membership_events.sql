with source as (

    select * from {{ source('okta', 'group_membership_events') }}

),

renamed as (

    select
        uuid as event_id,
        _source_id as source_id,
        {{ identity_timestamp('published') }} as published_at,
        case eventType
            when 'group.user_membership.add' then 'added'
            when 'group.user_membership.remove' then 'removed'
        end as membership_change,
        outcome_result,
        transaction_id,
        user_id,
        lower(user_alternateId) as user_email,
        group_id,
        group_displayName as group_name

    from source

)

select * from renamed
