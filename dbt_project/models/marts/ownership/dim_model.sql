{{ config(materialized='table') }}

-- Models governance knows, plus any model seen in usage that it does not (review_status unknown).

with declared as (

    select * from {{ ref('stg_governance__models') }}

),

seen as (

    select
        model_id,
        max(model_family) as model_family,
        min(usage_date) as first_seen_date,
        max(usage_date) as last_seen_date,
        sum(total_tokens) as total_tokens
    from {{ ref('int_usage_governed') }}
    group by model_id

),

providers as (

    select
        model_id,
        {{ dbt.listagg('provider', "','", 'order by provider') }} as providers
    from {{ ref('stg_governance__model_providers') }}
    group by model_id

),

all_models as (

    select model_id from declared
    union
    select model_id from seen

)

select
    cast(all_models.model_id as {{ dbt.type_string() }}) as model_id,
    cast(coalesce(declared.model_family, seen.model_family) as {{ dbt.type_string() }}) as model_family,
    cast(declared.model_kind as {{ dbt.type_string() }}) as model_kind,
    cast(coalesce(declared.review_status, 'unknown') as {{ dbt.type_string() }}) as review_status,
    cast(providers.providers as {{ dbt.type_string() }}) as declared_providers,
    cast(declared.model_id is not null as boolean) as is_declared,
    cast(seen.model_id is not null as boolean) as is_seen_in_usage,
    cast(seen.first_seen_date as date) as first_seen_date,
    cast(seen.last_seen_date as date) as last_seen_date,
    cast(coalesce(seen.total_tokens, 0) as bigint) as total_tokens
from all_models
left join declared on declared.model_id = all_models.model_id
left join seen on seen.model_id = all_models.model_id
left join providers on providers.model_id = all_models.model_id
