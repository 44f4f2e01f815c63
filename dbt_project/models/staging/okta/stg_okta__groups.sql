with source as (

    select * from {{ source('okta', 'groups') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as group_id,
        profile_name as group_name,
        profile_description as group_description,
        type as group_type,
        {{ identity_timestamp('created') }} as created_at,
        {{ identity_timestamp('lastUpdated') }} as last_updated_at,
        {{ identity_timestamp('lastMembershipUpdated') }} as last_membership_updated_at

    from source

)

select * from renamed
