{#-
    An application sends a data category that its model's review or its provider's terms do not
    allow, or its data may only stay in approved regions and the provider hosts elsewhere.
-#}

with usage as (

    select * from {{ ref('int_usage_governed') }}
    where application_id is not null

),

app_categories as (

    select * from {{ ref('stg_governance__application_data_categories') }}

),

provider_categories as (

    select * from {{ ref('stg_governance__provider_data_categories') }}

),

model_categories as (

    select * from {{ ref('stg_governance__model_data_categories') }}

),

app_regions as (

    select * from {{ ref('stg_governance__application_approved_regions') }}

),

provider_regions as (

    select * from {{ ref('stg_governance__provider_regions') }}

),

category_not_allowed as (

    select distinct usage.usage_key
    from usage
    inner join app_categories on app_categories.application_id = usage.application_id
    where not exists (
            select 1 from provider_categories
            where provider_categories.provider = usage.provider
                and provider_categories.data_category = app_categories.data_category
        )
        or (
            usage.model_kind = 'model'
            and not exists (
                select 1 from model_categories
                where model_categories.model_id = usage.model_id
                    and model_categories.data_category = app_categories.data_category
            )
        )

),

region_not_allowed as (

    select distinct usage.usage_key
    from usage
    inner join provider_regions on provider_regions.provider = usage.provider
    where exists (select 1 from app_regions where app_regions.application_id = usage.application_id)
        and not exists (
            select 1 from app_regions
            where app_regions.application_id = usage.application_id
                and app_regions.region = provider_regions.region
        )

)

select
    'data_category_not_allowed' as rule,
    usage.*
from usage
where usage.usage_key in (select usage_key from category_not_allowed)
    or usage.usage_key in (select usage_key from region_not_allowed)
