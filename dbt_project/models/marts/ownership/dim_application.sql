{{ config(materialized='table') }}

-- Declared applications with their owner, controls and what usage shows of them.

with applications as (

    select * from {{ ref('stg_governance__applications') }}

),

teams as (

    select * from {{ ref('stg_governance__teams') }}

),

declared_credentials as (

    select application_id, count(*) as declared_credential_count
    from {{ ref('stg_governance__application_credentials') }}
    group by application_id

),

seen as (

    select
        application_id,
        min(usage_date) as first_seen_date,
        max(usage_date) as last_seen_date,
        sum(total_tokens) as total_tokens
    from {{ ref('int_usage_governed') }}
    where application_id is not null
    group by application_id

)

select
    cast(applications.application_id as {{ dbt.type_string() }}) as application_id,
    cast(applications.application_name as {{ dbt.type_string() }}) as application_name,
    cast(applications.team_id as {{ dbt.type_string() }}) as team_id,
    cast(teams.cost_center_id as {{ dbt.type_string() }}) as cost_center_id,
    cast(teams.owner_email as {{ dbt.type_string() }}) as team_owner_email,
    cast(applications.business_purpose as {{ dbt.type_string() }}) as business_purpose,
    cast(applications.use_category as {{ dbt.type_string() }}) as use_category,
    cast(applications.sensitivity_tier as {{ dbt.type_string() }}) as sensitivity_tier,
    cast(applications.lifecycle_status as {{ dbt.type_string() }}) as lifecycle_status,
    cast(applications.approval_reference as {{ dbt.type_string() }}) as approval_reference,
    cast(applications.approved_on as date) as approved_on,
    cast(applications.retired_on as date) as retired_on,
    cast(applications.is_prompt_logging_allowed as boolean) as is_prompt_logging_allowed,
    cast(applications.is_human_review_required as boolean) as is_human_review_required,
    cast(coalesce(declared_credentials.declared_credential_count, 0) as bigint) as declared_credential_count,
    cast(seen.application_id is not null as boolean) as is_seen_in_usage,
    cast(seen.first_seen_date as date) as first_seen_date,
    cast(seen.last_seen_date as date) as last_seen_date,
    cast(coalesce(seen.total_tokens, 0) as bigint) as total_tokens
from applications
left join teams on teams.team_id = applications.team_id
left join declared_credentials on declared_credentials.application_id = applications.application_id
left join seen on seen.application_id = applications.application_id
