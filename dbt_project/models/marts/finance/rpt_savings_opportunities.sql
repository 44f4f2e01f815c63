{#-
    Where AI spend could shrink, one row per opportunity and month, with an estimated monthly saving
    (DECIMAL, in the row's currency) and the evidence behind it. Each month is evaluated through its
    last day with data (evaluated_through).

    - idle_seats: paid SaaS seats idle on the tool's last day with seats in the month
      (fct_seat_assignments_daily.is_idle), per tool x team; saving = their list price per month.
    - inactive_holder_seats: seats still assigned on that day to a person who left or is suspended
      (person_status), per tool x team, whatever their activity; saving = their list price per
      month. Such a seat is not also counted among the idle ones.
    - cheaper_model: an application of low sensitivity uses a model while a cheaper model of the same
      governance family is approved for it (by id or family), reviewed, allowed for its use category
      and offered by the same provider; saving = the month's tokens x the list price difference per
      token component (the cheapest such model), as a run rate over the whole month.
    - cache_hit_ratio: an application's cached share of input tokens on a model is below the target
      (var savings_cache_hit_target, default 0.5) and the model's cache reads cost less than input;
      saving = the input tokens that reaching the target would read from cache x (input price - cache
      read price), as a run rate over the whole month.
    Prices are the catalog's standard list prices in effect on the evaluation day (int_model_list_prices),
    so batch and negotiated discounts are not netted out. Run rate = saving over the month's days with
    data x days in the month / those days.
-#}

{%- set cache_target = var('savings_cache_hit_target', 0.5) -%}

with usage as (

    select
        cast({{ dbt.date_trunc('month', 'usage_date') }} as date) as usage_month,
        usage_date,
        application_id,
        team_id,
        provider,
        model_id,
        input_tokens,
        cache_read_input_tokens,
        uncached_input_tokens,
        cache_creation_input_tokens,
        output_tokens
    from {{ ref('fct_ai_usage_daily') }}
    where application_id is not null and model_id is not null

),

months as (

    select
        usage_month,
        max(usage_date) as evaluated_through,
        count(distinct usage_date) as days_observed,
        {{ dbt.datediff('usage_month', dbt.dateadd('month', 1, 'usage_month'), 'day') }} as days_in_month
    from usage
    group by usage_month

),

application_usage as (

    select
        usage_month,
        application_id,
        team_id,
        provider,
        model_id,
        sum(input_tokens) as input_tokens,
        sum(cache_read_input_tokens) as cache_read_tokens,
        {#- cache writes are priced as input here: no catalog component is compared for them -#}
        sum(uncached_input_tokens + cache_creation_input_tokens) as uncached_input_tokens,
        sum(output_tokens) as output_tokens
    from usage
    group by usage_month, application_id, team_id, provider, model_id

),

list_prices as (

    select * from {{ ref('int_model_list_prices') }}

),

month_prices as (

    {#- per month, provider and model: the prices in effect on the evaluation day; a cache read
        without its own price pays the input price -#}
    select
        months.usage_month,
        list_prices.provider,
        list_prices.model_id,
        max(case when list_prices.component = 'input' then list_prices.price_per_mtok end) as input_price,
        coalesce(
            max(case when list_prices.component = 'cache_read' then list_prices.price_per_mtok end),
            max(case when list_prices.component = 'input' then list_prices.price_per_mtok end)
        ) as cache_read_price,
        max(case when list_prices.component = 'output' then list_prices.price_per_mtok end) as output_price
    from months
    inner join list_prices
        on (list_prices.effective_from is null or list_prices.effective_from <= months.evaluated_through)
        and (list_prices.effective_to is null or months.evaluated_through < list_prices.effective_to)
    group by months.usage_month, list_prices.provider, list_prices.model_id

),

applications as (

    select application_id, use_category, sensitivity_tier
    from {{ ref('dim_application') }}

),

governed_models as (

    select model_id, model_family, review_status
    from {{ ref('stg_governance__models') }}

),

approved as (

    select application_id, model_id, model_family
    from {{ ref('stg_governance__application_approved_models') }}

),

alternatives as (

    {#- every cheaper candidate for a low-sensitivity application's model, priced the same month -#}
    select
        used.usage_month,
        used.application_id,
        used.team_id,
        used.provider,
        used.model_id,
        candidate.model_id as alternative_model_id,
        used.input_tokens,
        used.cache_read_tokens,
        used.uncached_input_tokens,
        used.output_tokens,
        {{ token_cost('used.uncached_input_tokens', 'current_price.input_price') }}
            + {{ token_cost('used.cache_read_tokens', 'current_price.cache_read_price') }}
            + {{ token_cost('used.output_tokens', 'current_price.output_price') }} as current_cost,
        {{ token_cost('used.uncached_input_tokens', 'candidate_price.input_price') }}
            + {{ token_cost('used.cache_read_tokens', 'candidate_price.cache_read_price') }}
            + {{ token_cost('used.output_tokens', 'candidate_price.output_price') }} as alternative_cost
    from application_usage as used
    inner join applications
        on applications.application_id = used.application_id
        and applications.sensitivity_tier = 'low'
    inner join governed_models as current_model
        on current_model.model_id = used.model_id
    inner join governed_models as candidate
        on candidate.model_family = current_model.model_family
        and candidate.model_id <> used.model_id
        and candidate.review_status = 'approved'
    inner join month_prices as current_price
        on current_price.usage_month = used.usage_month
        and current_price.provider = used.provider
        and current_price.model_id = used.model_id
    inner join month_prices as candidate_price
        on candidate_price.usage_month = used.usage_month
        and candidate_price.provider = used.provider
        and candidate_price.model_id = candidate.model_id
    where exists (
            select 1 from approved
            where approved.application_id = used.application_id
                and (approved.model_id = candidate.model_id or approved.model_family = candidate.model_family)
        )
        and exists (
            select 1 from {{ ref('stg_governance__model_use_categories') }} as allowed
            where allowed.model_id = candidate.model_id and allowed.use_category = applications.use_category
        )
        and exists (
            select 1 from {{ ref('stg_governance__model_providers') }} as offered
            where offered.model_id = candidate.model_id and offered.provider = used.provider
        )

),

cheapest_alternative as (

    select
        *,
        row_number() over (
            partition by usage_month, application_id, provider, model_id
            order by alternative_cost, alternative_model_id
        ) as preference
    from alternatives
    where alternative_cost < current_cost

),

cheaper_model as (

    select
        'cheaper_model' as opportunity_kind,
        cheapest_alternative.usage_month,
        {{ dbt.concat(['application_id', "':'", 'provider', "':'", 'model_id']) }} as subject_id,
        application_id,
        team_id,
        provider,
        model_id,
        alternative_model_id,
        cast(null as {{ dbt.type_string() }}) as tool,
        cast('USD' as {{ dbt.type_string() }}) as currency,
        current_cost - alternative_cost as observed_saving,
        cast(null as bigint) as idle_seat_count,
        cast(null as bigint) as seat_count,
        input_tokens,
        cache_read_tokens,
        output_tokens,
        current_cost,
        alternative_cost
    from cheapest_alternative
    where preference = 1

),

cache_hit_ratio as (

    select
        'cache_hit_ratio' as opportunity_kind,
        used.usage_month,
        {{ dbt.concat(['used.application_id', "':'", 'used.provider', "':'", 'used.model_id']) }} as subject_id,
        used.application_id,
        used.team_id,
        used.provider,
        used.model_id,
        cast(null as {{ dbt.type_string() }}) as alternative_model_id,
        cast(null as {{ dbt.type_string() }}) as tool,
        cast('USD' as {{ dbt.type_string() }}) as currency,
        {{ token_cost(
            'used.input_tokens * cast(' ~ cache_target ~ ' as decimal(38, 10)) - used.cache_read_tokens',
            '(prices.input_price - prices.cache_read_price)',
        ) }} as observed_saving,
        cast(null as bigint) as idle_seat_count,
        cast(null as bigint) as seat_count,
        used.input_tokens,
        used.cache_read_tokens,
        used.output_tokens,
        {{ token_cost('used.uncached_input_tokens', 'prices.input_price') }}
            + {{ token_cost('used.cache_read_tokens', 'prices.cache_read_price') }}
            + {{ token_cost('used.output_tokens', 'prices.output_price') }} as current_cost,
        cast(null as decimal(38, 10)) as alternative_cost
    from application_usage as used
    inner join month_prices as prices
        on prices.usage_month = used.usage_month
        and prices.provider = used.provider
        and prices.model_id = used.model_id
    where used.input_tokens > 0
        and used.cache_read_tokens < used.input_tokens * cast({{ cache_target }} as decimal(38, 10))
        and prices.cache_read_price < prices.input_price

),

seat_days as (

    select
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as usage_month,
        *
    from {{ ref('fct_seat_assignments_daily') }}

),

seat_evaluation_days as (

    {#- per tool: a tool whose snapshot lags is evaluated on its own last day -#}
    select usage_month, tool, max(activity_date) as evaluated_through
    from seat_days
    group by usage_month, tool

),

seat_teams as (

    {#- per tool, team and currency on the tool's evaluation day: all seats, seats of people who left or
        are suspended (reclaimable whatever their activity), and the other idle seats -#}
    select
        seat_days.usage_month,
        seat_days.tool,
        seat_days.team_id,
        seat_days.currency_code as currency,
        seat_evaluation_days.evaluated_through,
        count(*) as seat_count,
        sum(seat_days.list_price_per_seat_month) as current_cost,
        sum(case when seat_days.is_inactive_holder then 1 else 0 end) as inactive_holder_seat_count,
        sum(case when seat_days.is_inactive_holder then seat_days.list_price_per_seat_month else 0 end)
            as inactive_holder_saving,
        sum(case when seat_days.is_idle and not seat_days.is_inactive_holder then 1 else 0 end)
            as idle_seat_count,
        sum(
            case when seat_days.is_idle and not seat_days.is_inactive_holder
                then seat_days.list_price_per_seat_month else 0 end
        ) as idle_saving
    from (
        select
            *,
            coalesce(person_status in ('departed', 'suspended'), false) as is_inactive_holder
        from seat_days
    ) as seat_days
    inner join seat_evaluation_days
        on seat_evaluation_days.usage_month = seat_days.usage_month
        and seat_evaluation_days.tool = seat_days.tool
        and seat_evaluation_days.evaluated_through = seat_days.activity_date
    group by
        seat_days.usage_month, seat_days.tool, seat_days.team_id, seat_days.currency_code,
        seat_evaluation_days.evaluated_through

),

seat_opportunities as (

    {% for kind, prefix in [('idle_seats', 'idle'), ('inactive_holder_seats', 'inactive_holder')] %}
    select
        '{{ kind }}' as opportunity_kind,
        usage_month,
        {{ dbt.concat(['tool', "':'", "coalesce(team_id, '(no team)')"]) }} as subject_id,
        cast(null as {{ dbt.type_string() }}) as application_id,
        team_id,
        cast(null as {{ dbt.type_string() }}) as provider,
        cast(null as {{ dbt.type_string() }}) as model_id,
        cast(null as {{ dbt.type_string() }}) as alternative_model_id,
        tool,
        currency,
        {{ prefix }}_saving as observed_saving,
        {{ prefix }}_seat_count as idle_seat_count,
        seat_count,
        cast(null as bigint) as input_tokens,
        cast(null as bigint) as cache_read_tokens,
        cast(null as bigint) as output_tokens,
        current_cost,
        cast(null as decimal(38, 10)) as alternative_cost,
        evaluated_through
    from seat_teams
    where {{ prefix }}_seat_count > 0 and {{ prefix }}_saving > 0
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

usage_opportunities as (

    select
        opportunities.*,
        months.evaluated_through,
        months.days_observed,
        months.days_in_month
    from (
        select * from cheaper_model
        union all
        select * from cache_hit_ratio
    ) as opportunities
    inner join months
        on months.usage_month = opportunities.usage_month

),

unioned as (

    select
        *,
        cast(
            observed_saving * cast(days_in_month * 1.0 / days_observed as decimal(20, 10)) as decimal(38, 10)
        ) as estimated_monthly_saving
    from usage_opportunities
    union all
    select
        opportunity_kind, usage_month, subject_id, application_id, team_id, provider, model_id,
        alternative_model_id, tool, currency, observed_saving, idle_seat_count, seat_count,
        input_tokens, cache_read_tokens, output_tokens, current_cost, alternative_cost,
        evaluated_through,
        cast(null as bigint) as days_observed,
        cast(null as bigint) as days_in_month,
        observed_saving as estimated_monthly_saving
    from seat_opportunities

)

select
    cast({{ surrogate_key(['opportunity_kind', 'usage_month', 'subject_id', 'currency']) }} as {{ dbt.type_string() }}) as opportunity_key,
    cast(opportunity_kind as {{ dbt.type_string() }}) as opportunity_kind,
    cast(usage_month as date) as usage_month,
    cast(evaluated_through as date) as evaluated_through,
    cast(subject_id as {{ dbt.type_string() }}) as subject_id,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(team_id as {{ dbt.type_string() }}) as team_id,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(model_id as {{ dbt.type_string() }}) as model_id,
    cast(alternative_model_id as {{ dbt.type_string() }}) as alternative_model_id,
    cast(tool as {{ dbt.type_string() }}) as tool,
    cast(currency as {{ dbt.type_string() }}) as currency,
    cast(estimated_monthly_saving as decimal(38, 10)) as estimated_monthly_saving,
    cast(observed_saving as decimal(38, 10)) as observed_saving,
    cast(days_observed as bigint) as days_observed,
    cast(days_in_month as bigint) as days_in_month,
    cast(idle_seat_count as bigint) as idle_seat_count,
    cast(seat_count as bigint) as seat_count,
    cast(input_tokens as bigint) as input_tokens,
    cast(cache_read_tokens as bigint) as cache_read_tokens,
    cast(output_tokens as bigint) as output_tokens,
    cast(
        case when input_tokens > 0 then cast(cache_read_tokens as decimal(38, 10)) / input_tokens end
        as decimal(38, 6)
    ) as cache_hit_ratio,
    cast(case when opportunity_kind = 'cache_hit_ratio' then {{ cache_target }} end as decimal(38, 6))
        as target_cache_hit_ratio,
    cast(current_cost as decimal(38, 10)) as current_cost,
    cast(alternative_cost as decimal(38, 10)) as alternative_cost
from unioned
