with source as (

    select * from {{ source('governance', 'remediation_sla') }}

),

renamed as (

    select
        severity,
        cast(sla_days as integer) as sla_days

    from source

)

select * from renamed
