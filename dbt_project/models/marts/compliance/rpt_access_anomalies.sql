{{ config(materialized='table') }}

{#-
    Access that deserves a look: a person new to an application (first seen after the first day of
    history), a departed or suspended person's credential still in use, and a credential used from an
    environment its application is not approved for. One row per anomaly, person or credential.
-#}

with usage as (

    select * from {{ ref('int_usage_governed') }}

),

history_start as (

    select min(usage_date) as first_date from usage

),

people_on_applications as (

    select
        'person_new_to_application' as anomaly_type,
        application_id,
        person_id,
        cast(null as {{ dbt.type_string() }}) as credential_provider,
        cast(null as {{ dbt.type_string() }}) as credential_id,
        min(usage_date) as first_date,
        max(usage_date) as last_date,
        count(distinct usage_date) as active_days,
        sum(request_count) as request_count,
        'first usage of the application by this person' as detail
    from usage
    where person_id is not null and application_id is not null
    group by application_id, person_id

),

new_people as (

    select people_on_applications.*
    from people_on_applications
    cross join history_start
    where people_on_applications.first_date > history_start.first_date

),

inactive_people as (

    select
        'inactive_person_active' as anomaly_type,
        max(application_id) as application_id,
        person_id,
        credential_provider,
        credential_id,
        min(usage_date) as first_date,
        max(usage_date) as last_date,
        count(distinct usage_date) as active_days,
        sum(request_count) as request_count,
        'credential of a ' || max(person_status) || ' person still in use' as detail
    from {{ ref('int_findings_usage_by_inactive_person') }}
    group by person_id, credential_provider, credential_id

),

unexpected_environments as (

    select
        'unexpected_environment' as anomaly_type,
        application_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        credential_provider,
        credential_id,
        min(usage_date) as first_date,
        max(usage_date) as last_date,
        count(distinct usage_date) as active_days,
        sum(request_count) as request_count,
        'used from ' || max(environment) || ', which the application is not approved for' as detail
    from {{ ref('int_findings_environment_not_approved') }}
    group by application_id, credential_provider, credential_id

),

anomalies as (

    select * from new_people
    union all
    select * from inactive_people
    union all
    select * from unexpected_environments

)

select
    cast({{ surrogate_key(['anomaly_type', 'application_id', 'person_id', 'credential_provider', 'credential_id']) }} as {{ dbt.type_string() }}) as anomaly_key,
    cast(anomaly_type as {{ dbt.type_string() }}) as anomaly_type,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(person_id as {{ dbt.type_string() }}) as person_id,
    cast(credential_provider as {{ dbt.type_string() }}) as credential_provider,
    cast(credential_id as {{ dbt.type_string() }}) as credential_id,
    cast(first_date as date) as first_date,
    cast(last_date as date) as last_date,
    cast(active_days as bigint) as active_days,
    cast(request_count as bigint) as request_count,
    cast(detail as {{ dbt.type_string() }}) as detail
from anomalies
