{#-
    What self-hosted model deployments cost (governance/self_hosted.yml): the daily cloud cost of the
    resources each deployment declares (CUR rows the connector kept for it: unblended cost, what AWS
    invoices) allocated to the deployment's tokens that day, by credential (and so application and
    team) and model, in proportion to tokens. Records on the canonical cost contract, provider as the
    traffic names it (vllm), cost_kind 'invoiced', for int_cost_records_normalized.

    Whole cents that add up: each part is the day's cost x its tokens / the day's tokens, rounded to
    whole minor units by largest remainder so the parts add to the day's cost rounded to the cent;
    the sub-cent rest of the day's cost (CUR rates have more decimals) goes to the largest part, so
    the parts add to the exact invoiced cost and nothing is lost.

    Idle days: cost on a day without tokens (or of a deployment that declares no model any more) is
    not dropped: it is one record on the deployment itself (project and credential = deployment id,
    no gateway), which no application declares, so chargeback shows it as unattributed.
    consumed_quantity is the part's tokens (0 when idle), effective cost the billed part.
    token_type is 'tokens': a token charge of the model without a token type. Allocated by tokens,
    the cost is rated by construction, so reconciliation does not count it as not rateable.
-#}

with line_items as (

    select * from {{ ref('stg_aws_cur__self_hosted_line_items') }}

),

deployments as (

    select deployment_id, max(provider) as provider
    from {{ ref('stg_governance__self_hosted_resources') }}
    group by deployment_id

),

costs as (

    select
        line_items.source_id,
        line_items.deployment_id,
        coalesce(deployments.provider, 'self_hosted') as provider,
        line_items.usage_date,
        line_items.currency_code as billing_currency,
        sum(line_items.unblended_cost) as day_cost
    from line_items
    left join deployments
        on deployments.deployment_id = line_items.deployment_id
    group by
        line_items.source_id, line_items.deployment_id, deployments.provider, line_items.usage_date,
        line_items.currency_code

),

served as (

    select * from {{ ref('stg_governance__self_hosted_models') }}

),

usage as (

    -- as int_ai_usage_daily counts it (which reads the credentials that read these costs): gateway
    -- rows count only for providers with no direct source, which self-hosted providers never have
    select * from {{ ref('int_usage_records_normalized') }}
    where not is_gateway
        or provider not in (
            select distinct provider from {{ ref('int_usage_records_normalized') }} where not is_gateway
        )

),

tokens as (

    -- each usage row once: its deployment is the one declaring its model id, else its model name
    select
        usage.usage_date,
        coalesce(by_id.deployment_id, by_name.deployment_id) as deployment_id,
        usage.credential_provider,
        usage.project_id,
        usage.api_key_id,
        usage.credential_id,
        usage.model_id,
        usage.model_name,
        sum(usage.input_tokens + usage.output_tokens) as tokens
    from usage
    left join served as by_id
        on by_id.provider = usage.provider
        and by_id.model_name = usage.model_id
    left join served as by_name
        on by_name.provider = usage.provider
        and by_name.model_name = usage.model_name
    where by_id.deployment_id is not null or by_name.deployment_id is not null
    group by
        usage.usage_date, coalesce(by_id.deployment_id, by_name.deployment_id),
        usage.credential_provider, usage.project_id, usage.api_key_id, usage.credential_id,
        usage.model_id, usage.model_name
    having sum(usage.input_tokens + usage.output_tokens) > 0

),

parts as (

    select
        costs.*,
        coalesce(tokens.credential_provider, costs.provider) as credential_provider,
        coalesce(tokens.project_id, costs.deployment_id) as project_id,
        -- the usage row's own key: the credential is then seen once (int_credentials_attributed)
        tokens.api_key_id,
        coalesce(tokens.credential_id, costs.deployment_id) as credential_id,
        tokens.model_id,
        tokens.model_name,
        coalesce(tokens.tokens, 0) as tokens,
        sum(tokens.tokens) over (
            partition by costs.source_id, costs.deployment_id, costs.usage_date, costs.billing_currency
        ) as day_tokens,
        row_number() over (
            partition by costs.source_id, costs.deployment_id, costs.usage_date, costs.billing_currency
            order by
                tokens.tokens desc, tokens.credential_id, tokens.model_name, tokens.project_id,
                tokens.api_key_id
        ) as token_rank
    from costs
    left join tokens
        on tokens.usage_date = costs.usage_date
        and tokens.deployment_id = costs.deployment_id

),

unrounded as (

    select
        *,
        case
            when day_tokens > 0
                then cast(round(cast(day_cost as double) * tokens / day_tokens, 10) as decimal(38, 10))
            else day_cost
        end as exact_share,
        {{ minor_units_per_major('billing_currency') }} as units_per_major,
        cast(round(day_cost * {{ minor_units_per_major('billing_currency') }}, 0) as bigint) as day_units
    from parts

),

rounded as (

    {{ largest_remainder(
        'unrounded', 'exact_share', 'unrounded.units_per_major',
        ['floored.source_id', 'floored.deployment_id', 'floored.usage_date', 'floored.billing_currency'],
        ['token_rank'], 'unrounded.day_units'
    ) }}

),

ranked as (

    -- the day's sub-cent rest goes to its largest part: whole cents plus less than half a cent
    -- either way, never below zero
    select
        *,
        row_number() over (
            partition by source_id, deployment_id, usage_date, billing_currency
            order by rounded_units desc, token_rank
        ) as amount_rank
    from rounded

),

final as (

    select
        source_id,
        provider,
        usage_date,
        cast(usage_date as timestamp) as charge_period_start,
        cast({{ dbt.dateadd('day', 1, 'usage_date') }} as timestamp) as charge_period_end,
        project_id,
        cast(api_key_id as {{ dbt.type_string() }}) as api_key_id,
        credential_id,
        model_name,
        model_id as model_ref,
        'tokens' as token_type,
        'default' as pricing_tier,
        'invoiced' as cost_kind,
        'Usage' as charge_category,
        case
            when tokens > 0
                then {{ dbt.concat(["'Self-hosted '", 'deployment_id', "': cloud cost allocated by tokens'"]) }}
            else {{ dbt.concat(["'Self-hosted '", 'deployment_id', "': idle cloud cost (no tokens that day)'"]) }}
        end as charge_description,
        cast(
            rounded_units * {{ minor_unit('billing_currency') }}
            + case
                when amount_rank = 1 then day_cost - day_units * {{ minor_unit('billing_currency') }}
                else 0
            end
            as decimal(38, 10)
        ) as billed_cost,
        billing_currency,
        cast(tokens as decimal(38, 6)) as consumed_quantity,
        'tokens' as consumed_unit,
        case when credential_provider = provider then '' else credential_provider end as gateway,
        deployment_id
    from ranked

)

select
    source_id, provider, usage_date, charge_period_start, charge_period_end, project_id, api_key_id,
    credential_id, model_name, model_ref, token_type, pricing_tier, cost_kind, charge_category,
    charge_description, billed_cost, billed_cost as effective_cost,
    cast(null as decimal(38, 10)) as list_cost, billing_currency, consumed_quantity, consumed_unit,
    gateway, deployment_id
from final
