with source as (

    select * from {{ source('openai', 'service_accounts') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as service_account_id,
        project_id,
        name as service_account_name,
        role as service_account_role,
        {{ timestamp_from_unix_seconds('created_at') }} as created_at

    from source

)

select * from renamed
