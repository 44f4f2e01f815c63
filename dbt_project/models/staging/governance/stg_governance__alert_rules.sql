with source as (

    select * from {{ source('governance', 'alert_rules') }}

),

renamed as (

    select
        condition_type,
        cast(enabled as boolean) as is_enabled,
        severity,
        min_severity,
        cast(include_reraised as boolean) as include_reraised,
        min_sensitivity_tier

    from source

)

select * from renamed
