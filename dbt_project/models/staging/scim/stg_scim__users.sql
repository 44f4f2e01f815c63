with source as (

    select * from {{ source('scim', 'users') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as user_id,
        externalId as external_id,
        userName as user_name,
        emails_primary as email,
        displayName as display_name,
        name_formatted as formatted_name,
        name_givenName as given_name,
        name_familyName as family_name,
        title as job_title,
        userType as user_type,
        active as is_active,
        enterprise_employeeNumber as employee_number,
        enterprise_costCenter as cost_center,
        enterprise_organization as organization,
        enterprise_division as division,
        enterprise_department as department,
        enterprise_manager_value as manager_user_id,
        enterprise_manager_displayName as manager_display_name,
        {{ identity_timestamp('meta_created') }} as created_at,
        {{ identity_timestamp('meta_lastModified') }} as last_modified_at,
        meta_version as version

    from source

)

select * from renamed
