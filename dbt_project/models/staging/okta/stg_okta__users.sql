with source as (

    select * from {{ source('okta', 'users') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as user_id,
        status as user_status,
        {{ identity_timestamp('created') }} as created_at,
        {{ identity_timestamp('activated') }} as activated_at,
        {{ identity_timestamp('statusChanged') }} as status_changed_at,
        {{ identity_timestamp('lastLogin') }} as last_login_at,
        {{ identity_timestamp('lastUpdated') }} as last_updated_at,
        profile_login as login,
        profile_email as email,
        profile_firstName as first_name,
        profile_lastName as last_name,
        profile_displayName as display_name,
        profile_title as job_title,
        profile_employeeNumber as employee_number,
        profile_costCenter as cost_center,
        profile_organization as organization,
        profile_division as division,
        profile_department as department,
        profile_managerId as manager_user_id,
        profile_manager as manager_name

    from source

)

select * from renamed
