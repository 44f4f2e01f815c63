with source as (

    select * from {{ source('governance', 'person_aliases') }}

),

renamed as (

    select
        lower(trim(alias_email)) as alias_email,
        lower(trim(person_email)) as person_email,
        reason as alias_reason

    from source

)

select * from renamed
