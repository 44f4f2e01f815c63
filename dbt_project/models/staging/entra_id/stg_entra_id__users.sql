with source as (

    select * from {{ source('entra_id', 'users') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as user_id,
        userPrincipalName as user_principal_name,
        mail,
        displayName as display_name,
        givenName as given_name,
        surname,
        department,
        jobTitle as job_title,
        accountEnabled as is_account_enabled,
        employeeId as employee_id,
        employeeType as employee_type,
        {{ identity_timestamp('employeeHireDate') }} as employee_hired_at,
        companyName as company_name,
        officeLocation as office_location,
        usageLocation as usage_location,
        employeeOrgData_costCenter as cost_center,
        employeeOrgData_division as division,
        onPremisesSamAccountName as on_premises_sam_account_name,
        {{ identity_timestamp('createdDateTime') }} as created_at,
        manager_id as manager_user_id,
        manager_userPrincipalName as manager_user_principal_name

    from source

)

select * from renamed
