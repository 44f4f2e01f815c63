-- A known model is used for a use category its review does not allow.

with usage as (

    select * from {{ ref('int_usage_governed') }}
    where application_id is not null and model_kind = 'model'

),

allowed as (

    select * from {{ ref('stg_governance__model_use_categories') }}

)

select
    'use_category_not_allowed_for_model' as rule,
    usage.*
from usage
where not exists (
    select 1 from allowed
    where allowed.model_id = usage.model_id and allowed.use_category = usage.use_category
)
