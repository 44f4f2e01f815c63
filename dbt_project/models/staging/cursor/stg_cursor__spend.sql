with source as (

    select * from {{ source('cursor', 'spend') }}

),

renamed as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        lower(trim(email)) as email,
        name as member_name,
        role as member_role,
        -- cents, not dollars: spend of the current cycle up to the snapshot
        cast(spendCents as decimal(38, 10)) as cycle_spend_cents,
        fastPremiumRequests as fast_premium_requests,
        cast(hardLimitOverrideDollars as decimal(38, 10)) as hard_limit_override_dollars,
        cast({{ saas_timestamp_from_unix_millis('subscriptionCycleStart') }} as date) as cycle_start_date,
        _pulled_at as pulled_at

    from source

)

select * from renamed
