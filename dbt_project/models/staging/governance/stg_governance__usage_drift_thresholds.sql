with source as (

    select * from {{ source('governance', 'usage_drift_thresholds') }}

),

renamed as (

    select
        measure,
        statistic,
        cast(enabled as boolean) as is_enabled,
        cast(min_abs_z as decimal(18, 6)) as min_abs_z,
        cast(min_fold_change as decimal(18, 6)) as min_fold_change,
        cast(min_abs_change as decimal(18, 6)) as min_abs_change,
        cast(min_distance as decimal(18, 6)) as min_distance,
        cast(min_token_share as decimal(18, 6)) as min_token_share,
        cast(min_volume as bigint) as min_volume,
        volume_unit,
        cast(baseline_weeks as integer) as baseline_weeks,
        cast(min_baseline_weeks as integer) as min_baseline_weeks,
        cast(work_start_hour as integer) as work_start_hour,
        cast(work_end_hour as integer) as work_end_hour,
        cast(utc_offset_hours as integer) as utc_offset_hours

    from source

)

select * from renamed
