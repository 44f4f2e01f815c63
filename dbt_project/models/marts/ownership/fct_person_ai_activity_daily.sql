{{ config(materialized='table') }}

{#-
    A person's AI footprint in one table: per person, day and channel, what they used through
    provider API keys they hold, gateways, and SaaS AI tools (seat activity), with the team they were
    in that day (dim_person, SCD2). People are matched by normalized email; usage by someone no
    directory knows keeps the email and a null person_id.
-#}

with api_usage as (

    select
        usage_date as activity_date,
        person_id as email,
        case when is_gateway then 'gateway' else 'provider_api' end as channel,
        provider as provider_or_tool,
        application_id,
        sum(request_count) as request_count,
        sum(total_tokens) as total_tokens
    from {{ ref('fct_ai_usage_daily') }}
    where person_id is not null
        and (request_count > 0 or total_tokens > 0 or unit_count > 0)
    group by usage_date, person_id, is_gateway, provider, application_id

),

tool_activity as (

    -- one row per person, tool and day even when two tenants or sources report the same seat
    select distinct
        activity_date,
        seat_holder_email as email,
        'saas_tool' as channel,
        tool as provider_or_tool,
        cast(null as {{ dbt.type_string() }}) as application_id,
        cast(null as bigint) as request_count,
        cast(null as bigint) as total_tokens
    from {{ ref('fct_seat_assignments_daily') }}
    where is_active_on_day and seat_holder_email is not null

),

activity as (

    select * from api_usage
    union all
    select * from tool_activity

),

people as (

    select * from {{ ref('dim_person') }}

)

select
    cast({{ surrogate_key(['activity.activity_date', 'activity.email', 'activity.channel', 'activity.provider_or_tool', 'activity.application_id']) }} as {{ dbt.type_string() }}) as person_activity_key,
    cast(activity.activity_date as date) as activity_date,
    cast(people.person_id as {{ dbt.type_string() }}) as person_id,
    cast(activity.email as {{ dbt.type_string() }}) as email,
    cast(people.team_id as {{ dbt.type_string() }}) as team_id,
    cast(people.cost_center_id as {{ dbt.type_string() }}) as cost_center_id,
    cast(people.status as {{ dbt.type_string() }}) as person_status,
    cast(activity.channel as {{ dbt.type_string() }}) as channel,
    cast(activity.provider_or_tool as {{ dbt.type_string() }}) as provider_or_tool,
    cast(activity.application_id as {{ dbt.type_string() }}) as application_id,
    cast(activity.request_count as bigint) as request_count,
    cast(activity.total_tokens as bigint) as total_tokens
from activity
left join people
    on people.email = activity.email
    and people.valid_from <= activity.activity_date
    and (people.valid_to is null or activity.activity_date < people.valid_to)
