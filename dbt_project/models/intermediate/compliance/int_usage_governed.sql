{#-
    Usage with activity, on the published grain (after de-duplication and attribution), with the
    governance facts the policy rules read. Every finding traces back to a usage_key here.
-#}

with usage as (

    select * from {{ ref('int_ai_usage_daily') }}
    where request_count > 0 or total_tokens > 0 or unit_count > 0

),

applications as (

    select * from {{ ref('stg_governance__applications') }}

),

models as (

    select * from {{ ref('stg_governance__models') }}

)

select
    usage.usage_key,
    usage.usage_date,
    usage.provider,
    usage.credential_provider,
    usage.project_id,
    usage.credential_id,
    usage.person_id,
    usage.application_id,
    usage.team_id,
    usage.environment,
    usage.model_id,
    coalesce(models.model_family, usage.model_family) as model_family,
    models.model_kind,
    models.review_status,
    applications.use_category,
    applications.lifecycle_status,
    applications.retired_on,
    applications.is_prompt_logging_allowed,
    usage.request_count,
    usage.total_tokens
from usage
left join applications on usage.application_id = applications.application_id
left join models on usage.model_id = models.model_id
