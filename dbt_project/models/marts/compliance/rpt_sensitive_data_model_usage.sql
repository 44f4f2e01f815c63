{{ config(materialized='table') }}

{#-
    Which models and providers processed which data categories, by month and quarter: an
    application's declared data categories apply to all of its usage. Unattributed usage has
    data_category 'undeclared' (nobody has said what it processes).
-#}

with usage as (

    select * from {{ ref('int_usage_governed') }}

),

categories as (

    select * from {{ ref('stg_governance__application_data_categories') }}

),

categorized as (

    select
        usage.*,
        coalesce(categories.data_category, 'undeclared') as data_category
    from usage
    left join categories on categories.application_id = usage.application_id

)

select
    cast({{ surrogate_key(["cast(" ~ dbt.date_trunc('month', 'usage_date') ~ " as date)", 'data_category', 'provider', 'model_id', 'application_id', 'credential_provider', 'credential_id']) }} as {{ dbt.type_string() }}) as sensitive_usage_key,
    cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
    cast({{ dbt.date_trunc('quarter', 'usage_date') }} as date) as usage_quarter,
    cast(data_category as {{ dbt.type_string() }}) as data_category,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(model_id as {{ dbt.type_string() }}) as model_id,
    cast(model_family as {{ dbt.type_string() }}) as model_family,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(team_id as {{ dbt.type_string() }}) as team_id,
    cast(credential_provider as {{ dbt.type_string() }}) as credential_provider,
    cast(credential_id as {{ dbt.type_string() }}) as credential_id,
    cast(min(usage_date) as date) as first_usage_date,
    cast(max(usage_date) as date) as last_usage_date,
    cast(count(distinct usage_date) as bigint) as active_days,
    cast(sum(request_count) as bigint) as request_count,
    cast(sum(total_tokens) as bigint) as total_tokens
from categorized
group by
    {{ dbt.date_trunc('month', 'usage_date') }},
    {{ dbt.date_trunc('quarter', 'usage_date') }},
    data_category, provider, model_id, model_family, application_id, team_id, credential_provider, credential_id
