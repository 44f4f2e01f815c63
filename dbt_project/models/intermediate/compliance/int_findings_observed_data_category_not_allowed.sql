{#-
    Sensitive data found in a request's text is of a data category its application has not
    declared (every category, for an unattributed request), or that its model's review or its
    provider's terms do not allow. One row per request (evidence key), whatever the number of
    categories or entities in it; rpt_observed_sensitive_data says which they were.
-#}

with observed as (

    select * from {{ ref('int_sensitive_entities_observed') }}

),

violating as (

    select distinct
        evidence_key, usage_date, application_id, team_id, credential_provider, credential_id,
        provider, model_id
    from observed
    where not is_declared_by_application
        or is_allowed_by_model = false
        or not is_allowed_by_provider

)

select
    'observed_data_category_not_allowed' as rule,
    evidence_key,
    usage_date,
    application_id,
    team_id,
    credential_provider,
    credential_id,
    provider,
    model_id,
    cast(null as {{ dbt.type_string() }}) as person_id,
    1 as request_count,
    cast(null as bigint) as total_tokens
from violating
