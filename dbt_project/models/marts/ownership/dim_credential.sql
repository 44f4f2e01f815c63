{{ config(materialized='table') }}

{#-
    Every credential declared or seen: declared ones name their application, seen ones their first and
    last usage. A declared project also covers the keys inside it, so a key seen under a declared
    project is attributed (by project) though it is not itself declared.
-#}

with declared as (

    select * from {{ ref('stg_governance__application_credentials') }}

),

attributed as (

    select * from {{ ref('int_credentials_attributed') }}

),

seen as (

    select
        credential_provider,
        project_id,
        credential_id,
        min(usage_date) as first_seen_date,
        max(usage_date) as last_seen_date,
        sum(total_tokens) as total_tokens,
        max(person_id) as person_id
    from {{ ref('int_usage_governed') }}
    group by credential_provider, project_id, credential_id

),

observed as (

    select
        attributed.credential_provider,
        attributed.project_id,
        attributed.credential_id,
        attributed.application_id,
        attributed.environment,
        attributed.attribution_method
    from attributed

),

declared_not_seen as (

    select
        declared.provider as credential_provider,
        case when declared.credential_kind = 'project' then declared.credential_id end as project_id,
        declared.credential_id,
        declared.application_id,
        declared.environment,
        'declared' as attribution_method
    from declared
    where not exists (
        select 1 from attributed
        where attributed.credential_provider = declared.provider
            and (
                (declared.credential_kind = 'project' and attributed.project_id = declared.credential_id)
                or (declared.credential_kind = 'api_key' and attributed.credential_id = declared.credential_id)
            )
    )

),

credentials as (

    select * from observed
    union all
    select * from declared_not_seen

)

select
    cast({{ surrogate_key(['credentials.credential_provider', 'credentials.project_id', 'credentials.credential_id']) }} as {{ dbt.type_string() }}) as credential_key,
    cast(credentials.credential_provider as {{ dbt.type_string() }}) as credential_provider,
    cast(credentials.project_id as {{ dbt.type_string() }}) as project_id,
    cast(credentials.credential_id as {{ dbt.type_string() }}) as credential_id,
    cast(credentials.application_id as {{ dbt.type_string() }}) as application_id,
    cast(credentials.environment as {{ dbt.type_string() }}) as environment,
    cast(credentials.attribution_method as {{ dbt.type_string() }}) as attribution_method,
    cast(credentials.application_id is not null as boolean) as is_declared,
    cast(seen.credential_id is not null as boolean) as is_seen_in_usage,
    cast(seen.person_id as {{ dbt.type_string() }}) as holder_person_id,
    cast(seen.first_seen_date as date) as first_seen_date,
    cast(seen.last_seen_date as date) as last_seen_date,
    cast(coalesce(seen.total_tokens, 0) as bigint) as total_tokens
from credentials
left join seen
    on seen.credential_provider = credentials.credential_provider
    and seen.project_id = credentials.project_id
    and seen.credential_id = credentials.credential_id
