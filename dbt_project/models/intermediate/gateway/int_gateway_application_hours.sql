{#-
    Gateway requests per UTC day and hour, attributed to the application whose key sent them
    (governance's application credentials for litellm and otel), with the hour and the day at the
    usage-drift settings' working-hours offset and the requests outside working hours (weekends and
    hours outside work_start_hour .. work_end_hour, local time). The hourly profile rpt_usage_drift
    judges per ISO week; requests from keys governance does not map are left out.
-#}

with settings as (

    {#- The working hours every measure's row carries. -#}
    select
        max(work_start_hour) as work_start_hour,
        max(work_end_hour) as work_end_hour,
        max(utc_offset_hours) as utc_offset_hours
    from {{ ref('stg_governance__usage_drift_thresholds') }}

),

gateway_keys as (

    select distinct
        credentials.provider as gateway,
        credentials.credential_id as application_key,
        credentials.application_id,
        applications.team_id
    from {{ ref('stg_governance__application_credentials') }} as credentials
    inner join {{ ref('stg_governance__applications') }} as applications
        on applications.application_id = credentials.application_id
    where credentials.provider in ('litellm', 'otel')

),

hourly as (

    select * from {{ ref('int_gateway_requests_hourly') }}

),

attributed as (

    select
        hourly.*,
        gateway_keys.application_id,
        gateway_keys.team_id,
        cast({{ dbt.date_trunc('week', 'hourly.usage_date') }} as date) as week_start,
        hourly.request_hour + settings.utc_offset_hours as shifted_hour,
        settings.work_start_hour,
        settings.work_end_hour
    from hourly
    inner join gateway_keys
        on gateway_keys.gateway = hourly.gateway
        and gateway_keys.application_key = hourly.application_key
    cross join settings

),

local_times as (

    {#- The hour at the working hours' offset from UTC, and the local day it falls on. -#}
    select
        attributed.*,
        case
            when shifted_hour < 0 then shifted_hour + 24
            when shifted_hour >= 24 then shifted_hour - 24
            else shifted_hour
        end as local_hour,
        cast({{ dbt.dateadd(
            'day',
            'case when shifted_hour < 0 then -1 when shifted_hour >= 24 then 1 else 0 end',
            'usage_date'
        ) }} as date) as local_date
    from attributed

),

classified as (

    {#- Monday is 0: Saturday and Sunday (5, 6) are outside working hours all day. -#}
    select
        local_times.*,
        case
            when {{ dbt.datediff(dbt.date_trunc('week', 'local_date'), 'local_date', 'day') }} >= 5
                or local_hour < work_start_hour
                or local_hour >= work_end_hour
                then request_count
            else 0
        end as off_hours_count
    from local_times

)

select
    usage_date,
    request_hour,
    gateway,
    application_key,
    provider,
    model_id,
    application_id,
    team_id,
    week_start,
    local_date,
    local_hour,
    request_count,
    success_count,
    failure_count,
    fallback_count,
    off_hours_count,
    input_tokens,
    output_tokens
from classified
