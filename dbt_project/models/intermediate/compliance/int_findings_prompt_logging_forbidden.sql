-- Prompts were recorded for an application whose controls forbid prompt logging.

with observed as (

    select * from {{ ref('int_prompt_logging_observed') }}
    where application_id is not null

),

applications as (

    select * from {{ ref('stg_governance__applications') }}

)

select
    'prompt_logging_forbidden' as rule,
    observed.evidence_key,
    observed.usage_date,
    observed.application_id,
    applications.team_id,
    observed.credential_provider,
    observed.credential_id,
    cast(null as {{ dbt.type_string() }}) as provider,
    cast(null as {{ dbt.type_string() }}) as model_id,
    cast(null as {{ dbt.type_string() }}) as person_id,
    1 as request_count,
    cast(null as bigint) as total_tokens
from observed
inner join applications on observed.application_id = applications.application_id
where not applications.is_prompt_logging_allowed
