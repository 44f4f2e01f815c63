with source as (

    select * from {{ source('governance', 'remediation_register') }}

),

renamed as (

    select
        finding_key,
        policy_id,
        subject_id,
        status as remediation_status,
        ticket_id,
        note as status_note,
        cast(changed_at as timestamp) as status_changed_at,
        lower(changed_by) as status_changed_by

    from source

)

select * from renamed
