{{ config(materialized='table') }}

-- Every credential with usage that no application declares: what it used, how much, who holds it.

with shadow as (

    select * from {{ ref('int_findings_shadow_credential') }}

),

models_used as (

    select
        credential_provider, project_id, credential_id,
        {{ dbt.listagg('model_id', "','", 'order by model_id') }} as model_ids
    from (select distinct credential_provider, project_id, credential_id, model_id from shadow) as distinct_models
    group by credential_provider, project_id, credential_id

),

holders as (

    select
        credential_provider, project_id, credential_id,
        {{ dbt.listagg('person_id', "','", 'order by person_id') }} as person_ids
    from (
        select distinct credential_provider, project_id, credential_id, person_id
        from shadow where person_id is not null
    ) as distinct_people
    group by credential_provider, project_id, credential_id

),

totals as (

    select
        credential_provider,
        project_id,
        credential_id,
        max(provider) as provider,
        min(usage_date) as first_seen_date,
        max(usage_date) as last_seen_date,
        count(distinct usage_date) as active_days,
        sum(request_count) as request_count,
        sum(total_tokens) as total_tokens
    from shadow
    group by credential_provider, project_id, credential_id

)

select
    cast({{ surrogate_key(['totals.credential_provider', 'totals.project_id', 'totals.credential_id']) }} as {{ dbt.type_string() }}) as shadow_credential_key,
    cast(totals.credential_provider as {{ dbt.type_string() }}) as credential_provider,
    cast(totals.project_id as {{ dbt.type_string() }}) as project_id,
    cast(totals.credential_id as {{ dbt.type_string() }}) as credential_id,
    cast(totals.provider as {{ dbt.type_string() }}) as provider,
    cast(models_used.model_ids as {{ dbt.type_string() }}) as model_ids,
    cast(holders.person_ids as {{ dbt.type_string() }}) as person_ids,
    cast(totals.first_seen_date as date) as first_seen_date,
    cast(totals.last_seen_date as date) as last_seen_date,
    cast(totals.active_days as bigint) as active_days,
    cast(totals.request_count as bigint) as request_count,
    cast(totals.total_tokens as bigint) as total_tokens
from totals
left join models_used
    on models_used.credential_provider = totals.credential_provider
    and models_used.project_id = totals.project_id
    and models_used.credential_id = totals.credential_id
left join holders
    on holders.credential_provider = totals.credential_provider
    and holders.project_id = totals.project_id
    and holders.credential_id = totals.credential_id
