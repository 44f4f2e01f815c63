{{ config(materialized='table') }}

{#-
    One row per classified request and entity type found in its text, with the entity's governance
    data category (seed sensitive_entity_categories) and whether governance allows that category
    there: declared by the request's application, allowed by its model's review (null for a model
    governance does not list: model_not_reviewed covers it) and by its provider's terms. An
    unattributed request has declared nothing.
-#}

with requests as (

    select * from {{ ref('int_content_classified_requests') }}

),

entries as (

    select
        requests.*,
        {{ json_count_map_entries('sensitive_entity_counts_json') }} as entry
    from requests

),

entities as (

    select
        evidence_key, observed_in, usage_date, provider, model_id, model_family,
        credential_provider, project_id, credential_id, application_id, team_id,
        cast(entry.key as {{ dbt.type_string() }}) as entity_type,
        cast(entry.value as bigint) as entity_count
    from entries

),

categories as (

    select * from {{ ref('sensitive_entity_categories') }}

),

app_categories as (

    select * from {{ ref('stg_governance__application_data_categories') }}

),

models as (

    select * from {{ ref('stg_governance__models') }}

),

model_categories as (

    select * from {{ ref('stg_governance__model_data_categories') }}

),

provider_categories as (

    select * from {{ ref('stg_governance__provider_data_categories') }}

)

select
    entities.*,
    categories.data_category,
    app_categories.application_id is not null as is_declared_by_application,
    case
        when models.model_id is null then cast(null as boolean)
        else model_categories.model_id is not null
    end as is_allowed_by_model,
    provider_categories.provider is not null as is_allowed_by_provider
from entities
left join categories on categories.entity_type = entities.entity_type
left join app_categories
    on app_categories.application_id = entities.application_id
    and app_categories.data_category = categories.data_category
left join models on models.model_id = entities.model_id
left join model_categories
    on model_categories.model_id = entities.model_id
    and model_categories.data_category = categories.data_category
left join provider_categories
    on provider_categories.provider = entities.provider
    and provider_categories.data_category = categories.data_category
