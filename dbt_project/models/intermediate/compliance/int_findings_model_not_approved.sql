-- An attributed application uses a model that is neither approved by id nor by family.

with usage as (

    select * from {{ ref('int_usage_governed') }}
    where application_id is not null and coalesce(model_kind, 'model') = 'model'

),

approved as (

    select * from {{ ref('stg_governance__application_approved_models') }}

)

select
    'model_not_approved_for_application' as rule,
    usage.*
from usage
where not exists (
    select 1 from approved
    where approved.application_id = usage.application_id
        and (approved.model_id = usage.model_id or approved.model_family = usage.model_family)
)
