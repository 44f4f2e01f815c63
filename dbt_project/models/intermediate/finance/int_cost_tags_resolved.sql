{#-
    Cost allocation tags the billing sources carry (Azure FOCUS Tags, AWS CUR user tags, Vertex
    billing labels), resolved to a governance application or team per provider, day, project and
    credential: an application tag naming a declared application wins, then a team tag naming a
    team, then a cost centre tag naming exactly one team's cost centre. Keys whose rows resolve to
    more than one target are left out (ambiguous, so unattributed).
-#}

with tagged as (

    select distinct
        'azure_openai' as provider,
        usage_date,
        subscription_id as project_id,
        coalesce(resource_id, subscription_id) as credential_id,
        {{ json_text_field('tags', 'app') }} as application_tag,
        cast(null as {{ dbt.type_string() }}) as team_tag,
        {{ json_text_field('tags', 'costcenter') }} as cost_center_tag
    from {{ ref('stg_azure_focus__cost_rows') }}
    where tags is not null

    union all

    select distinct
        'aws_bedrock' as provider,
        usage_date,
        usage_account_id as project_id,
        coalesce(
            case when resource_id like 'arn:%:application-inference-profile/%' then resource_id end,
            usage_account_id
        ) as credential_id,
        {{ json_text_field('resource_tags_json', 'user_application') }} as application_tag,
        {{ json_text_field('resource_tags_json', 'user_team') }} as team_tag,
        {{ json_text_field('resource_tags_json', 'user_cost_center') }} as cost_center_tag
    from {{ ref('stg_aws_cur__bedrock_line_items') }}
    where resource_tags_json is not null

    union all

    select distinct
        'google_vertex' as provider,
        usage_date,
        project_id,
        project_id as credential_id,
        {{ json_text_field('labels_json', 'app') }} as application_tag,
        {{ json_text_field('labels_json', 'team') }} as team_tag,
        cast(null as {{ dbt.type_string() }}) as cost_center_tag
    from {{ ref('stg_gcp_billing_export__vertex_cost_rows') }}
    where labels_json is not null

),

applications as (

    select application_id, team_id from {{ ref('stg_governance__applications') }}

),

teams as (

    select team_id, cost_center_id from {{ ref('stg_governance__teams') }}

),

cost_center_teams as (

    select cost_center_id, min(team_id) as team_id
    from teams
    group by cost_center_id
    having count(*) = 1

),

resolved as (

    select
        tagged.provider,
        tagged.usage_date,
        tagged.project_id,
        tagged.credential_id,
        applications.application_id,
        coalesce(applications.team_id, by_team.team_id, by_cost_center.team_id) as team_id
    from tagged
    left join applications
        on applications.application_id in (tagged.application_tag, 'app-' || tagged.application_tag)
    left join teams as by_team
        on by_team.team_id = tagged.team_tag
    left join cost_center_teams as by_cost_center
        on by_cost_center.cost_center_id = tagged.cost_center_tag

),

unambiguous as (

    select provider, usage_date, project_id, credential_id
    from resolved
    where team_id is not null
    group by provider, usage_date, project_id, credential_id
    having count(distinct {{ dbt.concat(["team_id", "'|'", "coalesce(application_id, '')"]) }}) = 1

)

select distinct
    resolved.provider,
    resolved.usage_date,
    resolved.project_id,
    resolved.credential_id,
    resolved.application_id,
    resolved.team_id,
    teams.cost_center_id
from resolved
inner join unambiguous
    on unambiguous.provider = resolved.provider
    and unambiguous.usage_date = resolved.usage_date
    and unambiguous.project_id = resolved.project_id
    and unambiguous.credential_id = resolved.credential_id
inner join teams on teams.team_id = resolved.team_id
