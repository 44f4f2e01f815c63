with source as (

    select * from {{ source('governance', 'policy_controls') }}

),

renamed as (

    select
        policy_id,
        framework,
        reference as control_reference

    from source

)

select * from renamed
