{#-
    The invoiced AI cost as a FOCUS 1.2 cost and usage dataset: FOCUS column ids and types, one row
    per fct_ai_cost_daily invoiced row, plus x_ columns for the warehouse's attribution (application,
    team, cost centre, credential holder) and the application's policy status that day. Measured
    (gateway) cost is not a charge and stays out.

    Choices where the warehouse knows less than FOCUS asks (documented per column in the YAML):
    BillingAccountId is the source instance, SubAccountId the provider project or workspace,
    ResourceId the credential; ListCost and ContractedCost fall back to the billed cost when the source
    states no list price; tokens are priced per million (PricingUnit '1000000 Tokens').
-#}

with costs as (

    select * from {{ ref('fct_ai_cost_daily') }}
    where cost_kind = 'invoiced'

),

names as (

    select * from {{ ref('focus_names') }}

),

creators as (

    select model_id, model_creator from {{ ref('model_catalog') }}

),

holders as (

    select credential_provider, project_id, credential_id, holder_person_id
    from {{ ref('dim_credential') }}

),

policy_status as (

    select
        application_id,
        usage_date,
        max(case when status in ('open', 'reraised') then 1 else 0 end) as has_open,
        max(case when status = 'excepted' then 1 else 0 end) as has_excepted
    from {{ ref('fct_policy_violations') }}
    where application_id is not null
    group by application_id, usage_date

),

enriched as (

    select
        costs.*,
        coalesce(provider_names.display_name, costs.provider) as provider_name,
        coalesce(provider_names.service_name, costs.provider) as service_name,
        coalesce(creator_names.display_name, creators.model_creator, provider_names.display_name, costs.provider)
            as publisher_name,
        holders.holder_person_id,
        case
            when costs.application_id is null then null
            when policy_status.has_open = 1 then 'open'
            when policy_status.has_excepted = 1 then 'excepted'
            else 'none'
        end as policy_status,
        case costs.charge_category
            when 'Usage' then 'Usage'
            when 'Purchase' then 'Purchase'
            when 'Credit' then 'Credit'
            when 'Tax' then 'Tax'
            else 'Adjustment'
        end as focus_charge_category,
        cast({{ dbt.date_trunc('month', 'costs.usage_date') }} as date) as billing_month
    from costs
    left join names as provider_names
        on provider_names.name_kind = 'provider' and provider_names.name_id = costs.provider
    left join creators
        on creators.model_id = costs.model_id
    left join names as creator_names
        on creator_names.name_kind = 'creator' and creator_names.name_id = creators.model_creator
    left join holders
        on holders.credential_provider = costs.provider
        and holders.project_id = costs.project_id
        and holders.credential_id = costs.credential_id
    left join policy_status
        on policy_status.application_id = costs.application_id
        and policy_status.usage_date = costs.usage_date

)

select
    cast(billed_cost as decimal(38, 10)) as {{ adapter.quote('BilledCost') }},
    cast(source_id as {{ dbt.type_string() }}) as {{ adapter.quote('BillingAccountId') }},
    cast(source_id as {{ dbt.type_string() }}) as {{ adapter.quote('BillingAccountName') }},
    cast(billing_currency as {{ dbt.type_string() }}) as {{ adapter.quote('BillingCurrency') }},
    cast({{ dbt.dateadd('month', 1, 'billing_month') }} as timestamp) as {{ adapter.quote('BillingPeriodEnd') }},
    cast(billing_month as timestamp) as {{ adapter.quote('BillingPeriodStart') }},
    cast(focus_charge_category as {{ dbt.type_string() }}) as {{ adapter.quote('ChargeCategory') }},
    cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('ChargeClass') }},
    cast(charge_description as {{ dbt.type_string() }}) as {{ adapter.quote('ChargeDescription') }},
    cast(case when focus_charge_category = 'Usage' then 'Usage-Based' else 'One-Time' end as {{ dbt.type_string() }})
        as {{ adapter.quote('ChargeFrequency') }},
    cast(coalesce(charge_period_end, {{ dbt.dateadd('day', 1, 'usage_date') }}) as timestamp) as {{ adapter.quote('ChargePeriodEnd') }},
    cast(coalesce(charge_period_start, usage_date) as timestamp) as {{ adapter.quote('ChargePeriodStart') }},
    cast(case when consumed_quantity is not null and focus_charge_category = 'Usage' then consumed_quantity end as decimal(38, 6))
        as {{ adapter.quote('ConsumedQuantity') }},
    cast(
        case
            when consumed_quantity is null or focus_charge_category <> 'Usage' then null
            when consumed_unit = 'tokens' then 'Tokens'
            else consumed_unit
        end as {{ dbt.type_string() }}
    ) as {{ adapter.quote('ConsumedUnit') }},
    cast(coalesce(effective_cost, billed_cost) as decimal(38, 10)) as {{ adapter.quote('ContractedCost') }},
    cast(coalesce(effective_cost, billed_cost) as decimal(38, 10)) as {{ adapter.quote('EffectiveCost') }},
    cast(provider_name as {{ dbt.type_string() }}) as {{ adapter.quote('InvoiceIssuerName') }},
    cast(coalesce(list_cost, billed_cost) as decimal(38, 10)) as {{ adapter.quote('ListCost') }},
    cast(case when focus_charge_category in ('Usage', 'Purchase') then 'Standard' end as {{ dbt.type_string() }})
        as {{ adapter.quote('PricingCategory') }},
    cast(
        case
            when consumed_quantity is null or focus_charge_category <> 'Usage' then null
            when consumed_unit = 'tokens' then consumed_quantity * cast('0.000001' as decimal(38, 10))
            else consumed_quantity
        end as decimal(38, 12)
    ) as {{ adapter.quote('PricingQuantity') }},
    cast(
        case
            when consumed_quantity is null or focus_charge_category <> 'Usage' then null
            when consumed_unit = 'tokens' then '1000000 Tokens'
            else consumed_unit
        end as {{ dbt.type_string() }}
    ) as {{ adapter.quote('PricingUnit') }},
    cast(provider_name as {{ dbt.type_string() }}) as {{ adapter.quote('ProviderName') }},
    cast(publisher_name as {{ dbt.type_string() }}) as {{ adapter.quote('PublisherName') }},
    cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('RegionId') }},
    cast(null as {{ dbt.type_string() }}) as {{ adapter.quote('RegionName') }},
    cast(credential_id as {{ dbt.type_string() }}) as {{ adapter.quote('ResourceId') }},
    cast(credential_id as {{ dbt.type_string() }}) as {{ adapter.quote('ResourceName') }},
    cast(case when credential_id is not null then 'Credential' end as {{ dbt.type_string() }}) as {{ adapter.quote('ResourceType') }},
    cast('AI and Machine Learning' as {{ dbt.type_string() }}) as {{ adapter.quote('ServiceCategory') }},
    cast(service_name as {{ dbt.type_string() }}) as {{ adapter.quote('ServiceName') }},
    cast('Generative AI' as {{ dbt.type_string() }}) as {{ adapter.quote('ServiceSubcategory') }},
    cast(
        case when model_id is not null then {{ dbt.concat(['model_id', "':'", 'token_type', "':'", 'pricing_tier']) }} end
        as {{ dbt.type_string() }}
    ) as {{ adapter.quote('SkuId') }},
    cast(project_id as {{ dbt.type_string() }}) as {{ adapter.quote('SubAccountId') }},
    cast(project_id as {{ dbt.type_string() }}) as {{ adapter.quote('SubAccountName') }},
    cast(case when project_id is not null then 'Project' end as {{ dbt.type_string() }}) as {{ adapter.quote('SubAccountType') }},
    cast(
        {{ dbt.concat([
            "'{\"application\": '", json_text('application_id'),
            "', \"team\": '", json_text('team_id'),
            "', \"cost_center\": '", json_text('cost_center_id'),
            "'}'",
        ]) }} as {{ dbt.type_string() }}
    ) as {{ adapter.quote('Tags') }},
    cast(cost_key as {{ dbt.type_string() }}) as {{ adapter.quote('x_CostKey') }},
    cast(application_id as {{ dbt.type_string() }}) as {{ adapter.quote('x_ApplicationId') }},
    cast(team_id as {{ dbt.type_string() }}) as {{ adapter.quote('x_TeamId') }},
    cast(cost_center_id as {{ dbt.type_string() }}) as {{ adapter.quote('x_CostCenterId') }},
    cast(holder_person_id as {{ dbt.type_string() }}) as {{ adapter.quote('x_PersonId') }},
    cast(policy_status as {{ dbt.type_string() }}) as {{ adapter.quote('x_PolicyStatus') }},
    cast(model_id as {{ dbt.type_string() }}) as {{ adapter.quote('x_ModelId') }},
    cast(token_type as {{ dbt.type_string() }}) as {{ adapter.quote('x_TokenType') }},
    cast(pricing_tier as {{ dbt.type_string() }}) as {{ adapter.quote('x_PricingTier') }}
from enriched
