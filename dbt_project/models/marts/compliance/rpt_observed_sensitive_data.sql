{{ config(materialized='table') }}

{#-
    Sensitive data observed in prompt and completion text, per day, provider, model, application (or
    credential, when unattributed) and entity type: how many requests carried it, how many times it
    occurred, and how many requests of the same day, model and credential had their text classified
    at all. Each row says whether governance allows that data category there: declared by the
    application, allowed by the model's review and by the provider's terms. Counts only: the text
    and the values found never reach the warehouse.
-#}

with observed as (

    select * from {{ ref('int_sensitive_entities_observed') }}

),

classified as (

    select
        usage_date, provider, model_id, credential_provider, credential_id,
        count(*) as classified_request_count
    from {{ ref('int_content_classified_requests') }}
    group by usage_date, provider, model_id, credential_provider, credential_id

),

grouped as (

    select
        usage_date,
        provider,
        model_id,
        model_family,
        application_id,
        team_id,
        credential_provider,
        credential_id,
        entity_type,
        data_category,
        is_declared_by_application,
        is_allowed_by_model,
        is_allowed_by_provider,
        count(*) as request_count,
        sum(entity_count) as entity_count
    from observed
    group by
        usage_date, provider, model_id, model_family, application_id, team_id, credential_provider,
        credential_id, entity_type, data_category, is_declared_by_application, is_allowed_by_model,
        is_allowed_by_provider

)

select
    cast({{ surrogate_key(['grouped.usage_date', 'grouped.provider', 'grouped.model_id', 'grouped.credential_provider', 'grouped.credential_id', 'grouped.entity_type']) }} as {{ dbt.type_string() }}) as observed_sensitive_key,
    cast(grouped.usage_date as date) as usage_date,
    cast(grouped.provider as {{ dbt.type_string() }}) as provider,
    cast(grouped.model_id as {{ dbt.type_string() }}) as model_id,
    cast(grouped.model_family as {{ dbt.type_string() }}) as model_family,
    cast(grouped.application_id as {{ dbt.type_string() }}) as application_id,
    cast(grouped.team_id as {{ dbt.type_string() }}) as team_id,
    cast(grouped.credential_provider as {{ dbt.type_string() }}) as credential_provider,
    cast(grouped.credential_id as {{ dbt.type_string() }}) as credential_id,
    cast(grouped.entity_type as {{ dbt.type_string() }}) as entity_type,
    cast(grouped.data_category as {{ dbt.type_string() }}) as data_category,
    cast(grouped.is_declared_by_application as boolean) as is_declared_by_application,
    cast(grouped.is_allowed_by_model as boolean) as is_allowed_by_model,
    cast(grouped.is_allowed_by_provider as boolean) as is_allowed_by_provider,
    cast(grouped.request_count as bigint) as request_count,
    cast(grouped.entity_count as bigint) as entity_count,
    cast(classified.classified_request_count as bigint) as classified_request_count
from grouped
inner join classified
    on classified.usage_date = grouped.usage_date
    and classified.provider = grouped.provider
    and classified.model_id = grouped.model_id
    and classified.credential_provider = grouped.credential_provider
    and classified.credential_id = grouped.credential_id
