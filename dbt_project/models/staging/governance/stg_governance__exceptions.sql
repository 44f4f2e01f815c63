with source as (

    select * from {{ source('governance', 'exceptions') }}

),

renamed as (

    select
        id as exception_id,
        policy_id,
        application_id,
        credential_id,
        model_id,
        lower(approver) as approver_email,
        reason,
        ticket,
        cast(starts_on as date) as starts_on,
        cast(expires_on as date) as expires_on

    from source

)

select * from renamed
