with source as (

    select * from {{ source('governance', 'price_override_snapshots') }}

),

renamed as (

    select
        overrides_sha256,
        governance_sha256

    from source

)

select * from renamed
