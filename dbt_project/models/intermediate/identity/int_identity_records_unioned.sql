{#-
    Every identity source's users in one shape: one row per source x source user x snapshot day.
    Emails are trimmed and lower case; the manager is resolved to an email inside the same source and
    snapshot; each source's status vocabulary maps to active / suspended / departed:
    - okta: DEPROVISIONED -> departed, SUSPENDED -> suspended, anything else (ACTIVE, STAGED,
      PROVISIONED, RECOVERY, LOCKED_OUT, PASSWORD_EXPIRED: still employed) -> active;
    - entra_id: accountEnabled false -> suspended (Entra cannot tell leaving from suspension);
    - google_workspace: archived -> departed, suspended -> suspended;
    - scim: active false -> suspended (SCIM cannot tell leaving from suspension).
-#}

with okta_users as (

    select * from {{ ref('stg_okta__users') }}

),

okta as (

    select
        'okta' as source_type,
        2 as source_precedence,
        u.source_id,
        u.snapshot_date,
        u.user_id as source_user_id,
        {{ normalized_email('coalesce(u.email, u.login)') }} as email,
        nullif(trim(u.employee_number), '') as employee_id,
        coalesce(u.display_name, {{ dbt.concat(['u.first_name', "' '", 'u.last_name']) }}) as display_name,
        u.department as team_name,
        u.division as department,
        u.cost_center as cost_center_id,
        {{ normalized_email('coalesce(m.email, m.login)') }} as manager_email,
        case
            when u.user_status = 'DEPROVISIONED' then 'departed'
            when u.user_status = 'SUSPENDED' then 'suspended'
            else 'active'
        end as status,
        u.user_status as source_status,
        u.status_changed_at,
        u.last_updated_at as record_updated_at

    from okta_users as u
    left join okta_users as m
        on m.source_id = u.source_id
        and m.snapshot_date = u.snapshot_date
        and m.user_id = u.manager_user_id

),

entra_id as (

    select
        'entra_id' as source_type,
        3 as source_precedence,
        source_id,
        snapshot_date,
        user_id as source_user_id,
        {{ normalized_email('coalesce(mail, user_principal_name)') }} as email,
        nullif(trim(employee_id), '') as employee_id,
        display_name,
        department as team_name,
        division as department,
        cost_center as cost_center_id,
        {{ normalized_email('manager_user_principal_name') }} as manager_email,
        case when is_account_enabled then 'active' else 'suspended' end as status,
        case when is_account_enabled then 'enabled' else 'disabled' end as source_status,
        cast(null as timestamp) as status_changed_at,
        cast(null as timestamp) as record_updated_at

    from {{ ref('stg_entra_id__users') }}

),

google_workspace as (

    select
        'google_workspace' as source_type,
        4 as source_precedence,
        source_id,
        snapshot_date,
        user_id as source_user_id,
        {{ normalized_email('primary_email') }} as email,
        nullif(trim(employee_id), '') as employee_id,
        full_name as display_name,
        department as team_name,
        organization_description as department,
        cost_center as cost_center_id,
        {{ normalized_email('manager_email') }} as manager_email,
        case
            when is_archived then 'departed'
            when is_suspended then 'suspended'
            else 'active'
        end as status,
        case
            when is_archived then 'archived'
            when is_suspended then 'suspended'
            else 'active'
        end as source_status,
        cast(null as timestamp) as status_changed_at,
        cast(null as timestamp) as record_updated_at

    from {{ ref('stg_google_workspace__users') }}

),

scim_users as (

    select * from {{ ref('stg_scim__users') }}

),

scim as (

    select
        'scim' as source_type,
        1 as source_precedence,
        u.source_id,
        u.snapshot_date,
        u.user_id as source_user_id,
        {{ normalized_email('coalesce(u.email, u.user_name)') }} as email,
        nullif(trim(u.employee_number), '') as employee_id,
        coalesce(u.display_name, u.formatted_name) as display_name,
        u.department as team_name,
        u.division as department,
        u.cost_center as cost_center_id,
        {{ normalized_email('coalesce(m.email, m.user_name)') }} as manager_email,
        case when u.is_active then 'active' else 'suspended' end as status,
        case when u.is_active then 'active' else 'inactive' end as source_status,
        cast(null as timestamp) as status_changed_at,
        u.last_modified_at as record_updated_at

    from scim_users as u
    left join scim_users as m
        on m.source_id = u.source_id
        and m.snapshot_date = u.snapshot_date
        and m.user_id = u.manager_user_id

)

select * from scim
union all
select * from okta
union all
select * from entra_id
union all
select * from google_workspace
