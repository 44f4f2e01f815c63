with source as (

    select * from {{ source('azure_focus', 'cost_rows') }}

),

renamed as (

    select
        _source_id as source_id,
        cast(ChargePeriodStart as date) as usage_date,
        cast(ChargePeriodStart as timestamp) as charge_period_start,
        cast(ChargePeriodEnd as timestamp) as charge_period_end,
        BillingAccountId as billing_account_id,
        SubAccountId as subscription_id,
        SubAccountName as subscription_name,
        lower(ResourceId) as resource_id,
        ResourceName as resource_name,
        ResourceType as resource_type,
        x_ResourceGroupName as resource_group_name,
        RegionId as region_id,
        ServiceName as service_name,
        ServiceCategory as service_category,
        ServiceSubcategory as service_subcategory,
        ChargeCategory as charge_category,
        ChargeClass as charge_class,
        ChargeDescription as charge_description,
        SkuId as sku_id,
        SkuPriceId as sku_price_id,
        SkuMeter as meter_name,
        x_SkuMeterId as meter_id,
        x_SkuMeterCategory as meter_category,
        x_SkuMeterSubcategory as meter_subcategory,
        x_SkuDescription as sku_description,
        upper(BillingCurrency) as billing_currency,
        cast(BilledCost as decimal(38, 10)) as billed_cost,
        cast(EffectiveCost as decimal(38, 10)) as effective_cost,
        cast(ListCost as decimal(38, 10)) as list_cost,
        cast(ContractedCost as decimal(38, 10)) as contracted_cost,
        cast(x_BilledCostInUsd as decimal(38, 10)) as billed_cost_usd,
        cast(x_BillingExchangeRate as decimal(38, 10)) as billing_exchange_rate,
        cast(ConsumedQuantity as decimal(38, 10)) as consumed_quantity,
        ConsumedUnit as consumed_unit,
        cast(PricingQuantity as decimal(38, 10)) as pricing_quantity,
        PricingUnit as pricing_unit,
        cast(x_PricingBlockSize as decimal(38, 0)) as pricing_block_size,
        x_PricingUnitDescription as pricing_unit_description,
        Tags as tags,
        x_CostCenter as cost_center,
        x_ExportName as export_name,
        x_ExportRunId as export_run_id,
        _pulled_at as pulled_at

    from source

)

select * from renamed
