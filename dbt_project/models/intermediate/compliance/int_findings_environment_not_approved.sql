-- A declared credential serves an environment its application is not approved to run in.

with usage as (

    select * from {{ ref('int_usage_governed') }}
    where application_id is not null and environment is not null

),

approved as (

    select * from {{ ref('stg_governance__application_environments') }}

)

select
    'environment_not_approved' as rule,
    usage.*
from usage
where not exists (
    select 1 from approved
    where approved.application_id = usage.application_id
        and approved.environment = usage.environment
)
