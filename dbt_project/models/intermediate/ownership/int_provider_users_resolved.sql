{#- Provider user ids resolved to a person id (the normalized email) from the latest inventory snapshot. -#}

with openai_users as (

    select
        'openai' as provider,
        user_id as provider_user_id,
        email,
        row_number() over (partition by user_id order by snapshot_date desc) as recency
    from {{ ref('stg_openai__users') }}

),

final as (

    select
        provider,
        provider_user_id,
        email as person_id
    from openai_users
    where recency = 1

)

select * from final
