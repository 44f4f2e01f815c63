{#-
    Measured (gateway), rated (tokens x effective-dated prices) and invoiced (provider bills) cost
    side by side per provider x account x UTC day, with variances against a governance tolerance.

    Lines (line_type) never double count a kind within a provider-day:
    - account: a provider account (OpenAI project, Anthropic workspace, AWS account, Azure
      subscription, GCP project) whose usage the provider's usage API reported: rated vs invoiced.
    - gateway: what a gateway saw of the provider (account_id gateway:<name>): rated per request vs
      measured. Gateways cannot tell the upstream account, so this traffic is also inside the account
      lines' rated cost: sum rated over account lines for the provider's rated total.
    - unattributed: one per provider-day, the invoiced (and rated) cost of accounts no usage API
      reported, or with no account at all: spend nobody instrumented.
    invoiced_cost is usage charges; credits, tax, purchases and adjustments are invoiced_other_cost.
    unrated_invoiced_cost is the part of invoiced_cost rating cannot price: charges that are not
    tokens (images, audio, storage, tool calls, searches) whose usage has no unit price, and tokens
    of models with no known price (their usage rows are no_price_known, counted in
    unpriced_usage_rows, with their unrated_reason in int_usage_rated). A non-token charge is rated
    when the account-day's non-token usage of its model or tool is all priced; a charge naming no
    model (Anthropic's web search) when all the account-day's non-token usage is priced. A model's token charge
    billed without its token type (token_type tokens) is rated: it meets the rated cost of that
    model's tokens in the account-day like any other token charge. A self-hosted deployment's cloud
    cost (int_self_hosted_costs_allocated, providers governance/self_hosted.yml declares) is rated by
    construction: it is allocated to its tokens, so its rated cost is the cost itself and it has no
    variance; nothing else rates that traffic. The variance compares
    rated cost with invoiced_cost - unrated_invoiced_cost, like for like. coverage_pct is the
    provider-day's invoiced usage on account lines over all its invoiced usage.
    is_provisional marks days the provider has not settled yet: the last cost_settlement_days - 1
    days (var, 3: a day settles 3 days later) up to the provider's latest invoiced day. Their
    invoice is still restated, so their variance is no finding yet.
    Invoiced cost in another currency than USD waits for the FX table and is left out.
-#}

with rated as (

    select * from {{ ref('int_usage_rated') }}

),

costs as (

    select * from {{ ref('int_cost_records_normalized') }}
    where billing_currency = 'USD'

),

self_hosted_providers as (

    select distinct provider from {{ ref('stg_governance__self_hosted_resources') }}

),

unpriced_models as (

    {#- account-day models whose token usage has no known price at all -#}
    select usage_date, provider, project_id as account_id, model_id
    from rated
    where not is_gateway and unit is null
    group by usage_date, provider, project_id, model_id
    having min(case when price_status = 'no_price_known' then 1 else 0 end) = 1

),

unit_models as (

    {#- account-day models or tools with non-token usage: 1 when all of it is priced -#}
    select
        usage_date, provider, project_id as account_id, model_id,
        min(case when price_status = 'no_price_known' then 0 else 1 end) as is_unit_rated
    from rated
    where not is_gateway and unit is not null and unit_count <> 0
    group by usage_date, provider, project_id, model_id

),

unit_accounts as (

    select usage_date, provider, account_id, min(is_unit_rated) as is_unit_rated
    from unit_models
    group by usage_date, provider, account_id

),

invoiced_usage as (

    select
        costs.*,
        costs.charge_category = 'Usage'
            and (
                (
                    costs.token_type = 'other'
                    and coalesce(
                        case when costs.model_id is null then unit_accounts.is_unit_rated else unit_models.is_unit_rated end,
                        0
                    ) = 0
                )
                or unpriced_models.model_id is not null
            ) as is_unrated,
        self_hosted_providers.provider is not null as is_self_hosted
    from costs
    left join self_hosted_providers
        on self_hosted_providers.provider = costs.provider
    left join unpriced_models
        on unpriced_models.usage_date = costs.usage_date
        and unpriced_models.provider = costs.provider
        and unpriced_models.account_id = costs.project_id
        and unpriced_models.model_id = costs.model_id
    left join unit_models
        on unit_models.usage_date = costs.usage_date
        and unit_models.provider = costs.provider
        and unit_models.account_id = costs.project_id
        and unit_models.model_id = costs.model_id
    left join unit_accounts
        on unit_accounts.usage_date = costs.usage_date
        and unit_accounts.provider = costs.provider
        and unit_accounts.account_id = costs.project_id
    where costs.cost_kind = 'invoiced'

),

account_rated as (

    select
        usage_date,
        provider,
        project_id as account_id,
        sum(rated_cost) as rated_cost,
        sum(case when price_status = 'no_price_known' then 1 else 0 end) as unpriced_usage_rows,
        max(case when is_price_approximate then 1 else 0 end) as has_approximate_price
    from rated
    where not is_gateway
    group by usage_date, provider, project_id

),

account_invoiced as (

    select
        usage_date,
        provider,
        project_id as account_id,
        sum(case when charge_category = 'Usage' then billed_cost end) as invoiced_cost,
        sum(case when coalesce(charge_category, '') <> 'Usage' then billed_cost end) as invoiced_other_cost,
        sum(case when is_unrated then billed_cost end) as unrated_invoiced_cost,
        sum(case when is_self_hosted and charge_category = 'Usage' then billed_cost end) as self_hosted_cost
    from invoiced_usage
    group by usage_date, provider, project_id

),

accounts as (

    select
        coalesce(r.usage_date, i.usage_date) as usage_date,
        coalesce(r.provider, i.provider) as provider,
        coalesce(r.account_id, i.account_id) as account_id,
        case
            when i.self_hosted_cost is not null then coalesce(r.rated_cost, 0) + i.self_hosted_cost
            else r.rated_cost
        end as rated_cost,
        i.invoiced_cost,
        i.invoiced_other_cost,
        i.unrated_invoiced_cost,
        coalesce(r.unpriced_usage_rows, 0) as unpriced_usage_rows,
        coalesce(r.has_approximate_price, 0) as has_approximate_price,
        case
            when r.usage_date is not null and coalesce(r.account_id, i.account_id) is not null then 'account'
            else 'unattributed'
        end as line_type
    from account_rated as r
    full outer join account_invoiced as i
        on r.usage_date = i.usage_date
        and r.provider = i.provider
        and r.account_id = i.account_id

),

account_lines as (

    select
        usage_date, provider, line_type, account_id,
        cast(null as decimal(38, 10)) as measured_cost,
        rated_cost, invoiced_cost, invoiced_other_cost,
        coalesce(unrated_invoiced_cost, 0) as unrated_invoiced_cost, unpriced_usage_rows,
        has_approximate_price, 0 as unattributed_account_count
    from accounts
    where line_type = 'account'

),

unattributed_lines as (

    {#- Every provider-day gets its unattributed line, zero when everything is instrumented. -#}
    select
        usage_date,
        provider,
        'unattributed' as line_type,
        '(unattributed)' as account_id,
        cast(null as decimal(38, 10)) as measured_cost,
        sum(case when line_type = 'unattributed' then rated_cost end) as rated_cost,
        coalesce(sum(case when line_type = 'unattributed' then invoiced_cost end), 0) as invoiced_cost,
        sum(case when line_type = 'unattributed' then invoiced_other_cost end) as invoiced_other_cost,
        coalesce(sum(case when line_type = 'unattributed' then unrated_invoiced_cost end), 0)
            as unrated_invoiced_cost,
        sum(case when line_type = 'unattributed' then unpriced_usage_rows else 0 end) as unpriced_usage_rows,
        max(case when line_type = 'unattributed' then has_approximate_price else 0 end) as has_approximate_price,
        sum(
            case
                when line_type = 'unattributed' and coalesce(invoiced_cost, invoiced_other_cost) is not null
                    then 1
                else 0
            end
        ) as unattributed_account_count
    from accounts
    group by usage_date, provider

),

gateway_rated as (

    select
        usage_date,
        provider,
        gateway,
        sum(rated_cost) as rated_cost,
        sum(case when price_status = 'no_price_known' then 1 else 0 end) as unpriced_usage_rows
    from rated
    where is_gateway
    group by usage_date, provider, gateway

),

gateway_measured as (

    select usage_date, provider, gateway, sum(billed_cost) as measured_cost
    from costs
    where cost_kind = 'measured'
    group by usage_date, provider, gateway

),

gateway_lines as (

    select
        coalesce(r.usage_date, m.usage_date) as usage_date,
        coalesce(r.provider, m.provider) as provider,
        'gateway' as line_type,
        {{ dbt.concat(["'gateway:'", 'coalesce(r.gateway, m.gateway)']) }} as account_id,
        m.measured_cost,
        r.rated_cost,
        cast(null as decimal(38, 10)) as invoiced_cost,
        cast(null as decimal(38, 10)) as invoiced_other_cost,
        cast(0 as decimal(38, 10)) as unrated_invoiced_cost,
        coalesce(r.unpriced_usage_rows, 0) as unpriced_usage_rows,
        0 as has_approximate_price,
        0 as unattributed_account_count
    from gateway_rated as r
    full outer join gateway_measured as m
        on r.usage_date = m.usage_date
        and r.provider = m.provider
        and r.gateway = m.gateway

),

lines as (

    select * from account_lines
    union all
    select * from unattributed_lines
    union all
    select * from gateway_lines

),

provider_days as (

    select
        usage_date,
        provider,
        sum(invoiced_cost) as provider_invoiced_cost,
        sum(case when line_type = 'account' then invoiced_cost end) as covered_invoiced_cost,
        sum(measured_cost) as provider_measured_cost
    from lines
    group by usage_date, provider

),

tolerances as (

    select
        providers.provider,
        coalesce(own.tolerance_percent, fallback.tolerance_percent) as tolerance_percent,
        coalesce(own.tolerance_amount_usd, fallback.tolerance_amount_usd) as tolerance_amount_usd
    from (select distinct provider from lines) as providers
    left join {{ ref('stg_governance__cost_tolerances') }} as own
        on own.provider = providers.provider
    cross join (
        select * from {{ ref('stg_governance__cost_tolerances') }} where provider is null
    ) as fallback

),

compared as (

    select
        lines.*,
        case when line_type = 'gateway' then 'rated_vs_measured' else 'rated_vs_invoiced' end
            as compared_cost_kinds,
        case
            when line_type = 'gateway' then measured_cost
            else invoiced_cost - unrated_invoiced_cost
        end as reference_cost
    from lines

),

measured as (

    select
        compared.*,
        case when reference_cost is not null then coalesce(rated_cost, 0) - reference_cost end
            as variance_cost,
        case
            when reference_cost is null then null
            when tolerances.tolerance_amount_usd
                >= tolerances.tolerance_percent * abs(reference_cost) * cast('0.01' as decimal(38, 10))
                then tolerances.tolerance_amount_usd
            else tolerances.tolerance_percent * abs(reference_cost) * cast('0.01' as decimal(38, 10))
        end as tolerance_cost,
        provider_days.provider_invoiced_cost,
        provider_days.covered_invoiced_cost,
        provider_days.provider_measured_cost
    from compared
    inner join tolerances
        on tolerances.provider = compared.provider
    inner join provider_days
        on provider_days.usage_date = compared.usage_date
        and provider_days.provider = compared.provider

),

pricing_snapshot as (

    select max(overrides_sha256) as overrides_sha256, max(catalog_version) as catalog_version
    from rated

),

last_invoiced as (

    select provider as invoiced_provider, max(usage_date) as last_invoiced_date
    from costs
    where cost_kind = 'invoiced'
    group by provider

)

select
    cast({{ surrogate_key(['usage_date', 'provider', 'line_type', 'account_id']) }} as {{ dbt.type_string() }}) as reconciliation_key,
    cast(usage_date as date) as usage_date,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(line_type as {{ dbt.type_string() }}) as line_type,
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    cast(measured_cost as decimal(38, 10)) as measured_cost,
    cast(rated_cost as decimal(38, 10)) as rated_cost,
    cast(invoiced_cost as decimal(38, 10)) as invoiced_cost,
    cast(invoiced_other_cost as decimal(38, 10)) as invoiced_other_cost,
    cast(unrated_invoiced_cost as decimal(38, 10)) as unrated_invoiced_cost,
    cast('USD' as {{ dbt.type_string() }}) as billing_currency,
    cast(compared_cost_kinds as {{ dbt.type_string() }}) as compared_cost_kinds,
    cast(variance_cost as decimal(38, 10)) as variance_cost,
    cast(
        case when reference_cost <> 0 then variance_cost * 100 / reference_cost end as decimal(38, 4)
    ) as variance_pct,
    cast(tolerance_cost as decimal(38, 10)) as tolerance_cost,
    cast(
        case when variance_cost is not null then abs(variance_cost) <= tolerance_cost end as boolean
    ) as is_within_tolerance,
    cast(
        coalesce(
            usage_date > {{ dbt.dateadd('day', 1 - var('cost_settlement_days', 3), 'last_invoiced_date') }},
            false
        ) as boolean
    ) as is_provisional,
    cast(unpriced_usage_rows as bigint) as unpriced_usage_rows,
    cast(has_approximate_price = 1 as boolean) as has_approximate_price,
    cast(unattributed_account_count as bigint) as unattributed_account_count,
    cast(provider_invoiced_cost as decimal(38, 10)) as provider_invoiced_cost,
    cast(
        case when provider_invoiced_cost <> 0 then coalesce(covered_invoiced_cost, 0) * 100 / provider_invoiced_cost end
        as decimal(38, 4)
    ) as coverage_pct,
    cast(
        case when provider_invoiced_cost <> 0 then coalesce(provider_measured_cost, 0) * 100 / provider_invoiced_cost end
        as decimal(38, 4)
    ) as gateway_measured_share_pct,
    cast(pricing_snapshot.overrides_sha256 as {{ dbt.type_string() }}) as overrides_sha256,
    cast(pricing_snapshot.catalog_version as {{ dbt.type_string() }}) as catalog_version
from measured
cross join pricing_snapshot
left join last_invoiced
    on last_invoiced.invoiced_provider = measured.provider
