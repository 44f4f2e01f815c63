{#-
    Invoiced usage cost allocated to application, team and cost centre, one row per cost group
    (day, provider, project, credential, model, currency) and target:
    - token_share: the invoice names only a project (no key) while usage of that project, day and
      model (any model for a cost without one) is reported per key: the cost is split by each
      target's tokens. All targets but the largest get their share rounded to the column's 10
      decimals; the largest gets the rest, so the split adds up to the invoice exactly.
    - credential: the invoiced credential is declared (int_credentials_attributed).
    - tag: not declared, but the source's tags name a governance team or application.
    - unattributed: none of these; cost_center_id 'unattributed'.
-#}

with costs as (

    select
        {{ surrogate_key(['usage_date', 'provider', 'project_id', 'credential_id', 'model_id', 'billing_currency']) }}
            as cost_group_key,
        usage_date,
        provider,
        project_id,
        credential_id,
        model_id,
        billing_currency,
        application_id,
        team_id,
        cost_center_id,
        sum(billed_cost) as billed_cost
    from {{ ref('int_ai_cost_daily') }}
    where cost_kind = 'invoiced'
    group by
        usage_date, provider, project_id, credential_id, model_id, billing_currency,
        application_id, team_id, cost_center_id

),

usage as (

    -- what the provider itself reports (gateway rows would count the same requests again)
    select * from {{ ref('int_ai_usage_daily') }} where not is_gateway

),

usage_by_target as (

    select
        usage_date, provider, project_id, model_id, application_id, team_id, cost_center_id,
        sum(total_tokens) as target_tokens,
        max(case when credential_id <> project_id then 1 else 0 end) as has_key_level_usage
    from usage
    group by usage_date, provider, project_id, model_id, application_id, team_id, cost_center_id

    union all

    -- for costs without a model (tool calls, storage): shares over every model of the project
    select
        usage_date, provider, project_id, cast(null as {{ dbt.type_string() }}) as model_id,
        application_id, team_id, cost_center_id,
        sum(total_tokens) as target_tokens,
        max(case when credential_id <> project_id then 1 else 0 end) as has_key_level_usage
    from usage
    group by usage_date, provider, project_id, application_id, team_id, cost_center_id

),

shares as (

    select
        costs.cost_group_key,
        costs.billed_cost,
        shares.application_id,
        shares.team_id,
        shares.cost_center_id,
        shares.target_tokens,
        sum(shares.target_tokens) over (partition by costs.cost_group_key) as group_tokens,
        max(shares.has_key_level_usage) over (partition by costs.cost_group_key) as is_coarser,
        row_number() over (
            partition by costs.cost_group_key
            order by shares.target_tokens desc, shares.application_id, shares.team_id
        ) as share_rank
    from costs
    inner join usage_by_target as shares
        on shares.usage_date = costs.usage_date
        and shares.provider = costs.provider
        and shares.project_id = costs.project_id
        and (shares.model_id = costs.model_id or (shares.model_id is null and costs.model_id is null))
    where (costs.credential_id is null or costs.credential_id = costs.project_id)
        and shares.target_tokens > 0

),

split as (

    select
        *,
        cast(round(cast(billed_cost as double) * target_tokens / group_tokens, 10)
            as decimal(38, 10)) as rounded_share
    from shares
    where is_coarser = 1

),

by_token_share as (

    select
        costs.usage_date,
        costs.provider,
        costs.project_id,
        costs.credential_id,
        costs.model_id,
        costs.billing_currency,
        split.application_id,
        split.team_id,
        split.cost_center_id,
        case when split.application_id is null then 'unattributed' else 'token_share' end
            as allocation_method,
        case
            when split.share_rank = 1
                then split.billed_cost
                    - (sum(split.rounded_share) over (partition by split.cost_group_key) - split.rounded_share)
            else split.rounded_share
        end as billed_cost,
        split.target_tokens as total_tokens
    from split
    inner join costs on costs.cost_group_key = split.cost_group_key

),

tags as (

    select * from {{ ref('int_cost_tags_resolved') }}

),

credential_tokens as (

    select
        usage_date, provider, project_id, credential_id, model_id,
        sum(total_tokens) as total_tokens
    from usage
    group by usage_date, provider, project_id, credential_id, model_id

),

by_credential as (

    select
        costs.usage_date,
        costs.provider,
        costs.project_id,
        costs.credential_id,
        costs.model_id,
        costs.billing_currency,
        coalesce(costs.application_id, tags.application_id) as application_id,
        coalesce(costs.team_id, tags.team_id) as team_id,
        coalesce(costs.cost_center_id, tags.cost_center_id) as cost_center_id,
        case
            when costs.application_id is not null then 'credential'
            when tags.team_id is not null then 'tag'
            else 'unattributed'
        end as allocation_method,
        costs.billed_cost,
        tokens.total_tokens
    from costs
    left join tags
        on tags.usage_date = costs.usage_date
        and tags.provider = costs.provider
        and tags.project_id = costs.project_id
        and tags.credential_id = costs.credential_id
    left join credential_tokens as tokens
        on tokens.usage_date = costs.usage_date
        and tokens.provider = costs.provider
        and tokens.project_id = costs.project_id
        and tokens.credential_id = costs.credential_id
        and (tokens.model_id = costs.model_id or (tokens.model_id is null and costs.model_id is null))
    where costs.cost_group_key not in (select cost_group_key from split)

),

unioned as (

    select * from by_token_share
    union all
    select * from by_credential

)

select
    cast(usage_date as date) as usage_date,
    cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as billing_month,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(project_id as {{ dbt.type_string() }}) as project_id,
    cast(credential_id as {{ dbt.type_string() }}) as credential_id,
    cast(model_id as {{ dbt.type_string() }}) as model_id,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(team_id as {{ dbt.type_string() }}) as team_id,
    cast(case when allocation_method = 'unattributed' then 'unattributed' else cost_center_id end
        as {{ dbt.type_string() }}) as cost_center_id,
    cast(allocation_method as {{ dbt.type_string() }}) as allocation_method,
    cast(billing_currency as {{ dbt.type_string() }}) as billing_currency,
    cast(billed_cost as decimal(38, 10)) as billed_cost,
    cast(total_tokens as bigint) as total_tokens
from unioned
