with source as (

    select * from {{ source('google_workspace', 'users') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as user_id,
        primaryEmail as primary_email,
        name_givenName as given_name,
        name_familyName as family_name,
        name_fullName as full_name,
        isAdmin as is_admin,
        isDelegatedAdmin as is_delegated_admin,
        suspended as is_suspended,
        suspensionReason as suspension_reason,
        archived as is_archived,
        orgUnitPath as org_unit_path,
        {{ identity_timestamp('creationTime') }} as created_at,
        {{ identity_timestamp('lastLoginTime') }} as last_login_at,
        organizations_title as job_title,
        organizations_department as department,
        organizations_costCenter as cost_center,
        organizations_description as organization_description,
        relations_manager as manager_email,
        externalIds_organization as employee_id,
        aliases

    from source

)

select * from renamed
