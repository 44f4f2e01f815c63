{#-
    Every credential seen in usage or cost, attributed to the application that declares it (under
    the provider's name, or the gateway's for gateway rows):
    a declared API key wins over its declared project. Undeclared credentials keep a null
    application (unattributed; shadow AI for the compliance marts).
-#}

with seen as (

    select distinct credential_provider, project_id, api_key_id, credential_id from {{ ref('int_usage_records_normalized') }}
    union
    select distinct credential_provider, project_id, api_key_id, credential_id from {{ ref('int_cost_records_normalized') }}

),

declared as (

    select
        credentials.provider,
        credentials.credential_kind,
        credentials.credential_id,
        applications.application_id,
        applications.team_id,
        teams.cost_center_id,
        credentials.environment
    from {{ ref('stg_governance__application_credentials') }} as credentials
    inner join {{ ref('stg_governance__applications') }} as applications
        on credentials.application_id = applications.application_id
    left join {{ ref('stg_governance__teams') }} as teams
        on applications.team_id = teams.team_id

),

attributed as (

    select
        seen.credential_provider,
        seen.project_id,
        seen.credential_id,
        coalesce(by_key.application_id, by_project.application_id) as application_id,
        coalesce(by_key.team_id, by_project.team_id) as team_id,
        coalesce(by_key.cost_center_id, by_project.cost_center_id) as cost_center_id,
        coalesce(by_key.environment, by_project.environment) as environment,
        case
            when by_key.application_id is not null then 'api_key'
            when by_project.application_id is not null then 'project'
        end as attribution_method
    from seen
    left join declared as by_key
        on by_key.provider = seen.credential_provider
        and by_key.credential_kind = 'api_key'
        and by_key.credential_id = seen.api_key_id
    left join declared as by_project
        on by_project.provider = seen.credential_provider
        and by_project.credential_kind = 'project'
        and by_project.credential_id = seen.project_id

)

select * from attributed
