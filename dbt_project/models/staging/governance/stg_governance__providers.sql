with source as (

    select * from {{ source('governance', 'providers') }}

),

renamed as (

    select
        id as provider,
        retention as retention_terms

    from source

)

select * from renamed
