{{ config(materialized='table') }}

{#-
    One row per policy x subject x day. The subject is the application, or the credential when the
    usage is unattributed or the rule is about who holds the credential, or the seat (tool:email) for a
    paid seat held by a person who left. Status: open, excepted (an
    exception in force covers every finding of the day) or reraised (the covering exception expired).
-#}

with findings as (

    select
        *,
        case
            when rule = 'paid_seat_held_by_inactive_person' then 'seat'
            when application_id is null or rule = 'usage_by_inactive_person' then 'credential'
            else 'application'
        end as subject_type,
        case
            when application_id is null or rule in ('usage_by_inactive_person', 'paid_seat_held_by_inactive_person')
                then credential_provider || ':' || credential_id
            else application_id
        end as subject_id
    from {{ ref('int_policy_findings') }}

),

controls as (

    select
        policy_id,
        {{ dbt.listagg("framework || ' ' || control_reference", "'; '", "order by framework, control_reference") }} as control_references
    from {{ ref('stg_governance__policy_controls') }}
    group by policy_id

),

models_used as (

    select
        policy_id, subject_id, usage_date,
        {{ dbt.listagg('model_id', "','", 'order by model_id') }} as model_ids
    from (select distinct policy_id, subject_id, usage_date, model_id from findings where model_id is not null) as distinct_models
    group by policy_id, subject_id, usage_date

),

credentials_used as (

    select
        policy_id, subject_id, usage_date,
        {{ dbt.listagg("credential_provider || ':' || credential_id", "','", "order by credential_provider || ':' || credential_id") }} as credential_ids
    from (select distinct policy_id, subject_id, usage_date, credential_provider, credential_id from findings) as distinct_credentials
    group by policy_id, subject_id, usage_date

),

grouped as (

    select
        usage_date,
        policy_id,
        rule,
        severity,
        subject_type,
        subject_id,
        max(application_id) as application_id,
        max(team_id) as team_id,
        max(person_id) as person_id,
        case
            when sum(case when status = 'open' then 1 else 0 end) > 0 then 'open'
            when sum(case when status = 'reraised' then 1 else 0 end) > 0 then 'reraised'
            else 'excepted'
        end as status,
        max(exception_id) as exception_id,
        max(exception_expires_on) as exception_expires_on,
        count(*) as evidence_row_count,
        {{ dbt.listagg('evidence_key', "','", 'order by evidence_key') }} as evidence_keys,
        sum(request_count) as request_count,
        sum(total_tokens) as total_tokens
    from findings
    group by usage_date, policy_id, rule, severity, subject_type, subject_id

)

select
    cast({{ surrogate_key(['grouped.policy_id', 'grouped.subject_id', 'grouped.usage_date']) }} as {{ dbt.type_string() }}) as violation_key,
    cast(grouped.usage_date as date) as usage_date,
    cast(grouped.policy_id as {{ dbt.type_string() }}) as policy_id,
    cast(grouped.rule as {{ dbt.type_string() }}) as rule,
    cast(grouped.severity as {{ dbt.type_string() }}) as severity,
    cast(grouped.subject_type as {{ dbt.type_string() }}) as subject_type,
    cast(grouped.subject_id as {{ dbt.type_string() }}) as subject_id,
    cast(grouped.application_id as {{ dbt.type_string() }}) as application_id,
    cast(grouped.team_id as {{ dbt.type_string() }}) as team_id,
    cast(grouped.person_id as {{ dbt.type_string() }}) as person_id,
    cast(credentials_used.credential_ids as {{ dbt.type_string() }}) as credential_ids,
    cast(models_used.model_ids as {{ dbt.type_string() }}) as model_ids,
    cast(grouped.status as {{ dbt.type_string() }}) as status,
    cast(grouped.exception_id as {{ dbt.type_string() }}) as exception_id,
    cast(grouped.exception_expires_on as date) as exception_expires_on,
    cast(controls.control_references as {{ dbt.type_string() }}) as control_references,
    cast(grouped.evidence_row_count as bigint) as evidence_row_count,
    cast(grouped.evidence_keys as {{ dbt.type_string() }}) as evidence_keys,
    cast(grouped.request_count as bigint) as request_count,
    cast(grouped.total_tokens as bigint) as total_tokens
from grouped
left join controls on controls.policy_id = grouped.policy_id
left join models_used
    on models_used.policy_id = grouped.policy_id
    and models_used.subject_id = grouped.subject_id
    and models_used.usage_date = grouped.usage_date
left join credentials_used
    on credentials_used.policy_id = grouped.policy_id
    and credentials_used.subject_id = grouped.subject_id
    and credentials_used.usage_date = grouped.usage_date
