with source as (

    select * from {{ source('governance', 'alert_cost_thresholds') }}

),

renamed as (

    select
        threshold_id,
        scope as cost_scope,
        cast(baseline_days as integer) as baseline_days,
        cast(factor as decimal(18, 6)) as spike_factor,
        cast(min_daily_cost as decimal(38, 10)) as min_daily_cost,
        severity,
        cast(enabled as boolean) as is_enabled

    from source

)

select * from renamed
