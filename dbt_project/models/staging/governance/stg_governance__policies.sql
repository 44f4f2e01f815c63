with source as (

    select * from {{ source('governance', 'policies') }}

),

renamed as (

    select
        id as policy_id,
        rule,
        severity,
        description as policy_description,
        cast(enabled as boolean) as is_enabled

    from source

)

select * from renamed
