{#-
    What drove the change in the AI bill: invoiced cost of a period against a baseline, per team x
    application x provider x model x billing currency, split into a volume and a price effect.

    Comparisons (column `comparison`):
    - day_vs_trailing_7d: one day against the average day of the 7 days before it.
    - week_over_week: an ISO week (Monday to Sunday) against the week before.
    - month_over_month: a calendar month against the month before.
    A week or month still in progress is compared with the same number of leading days of the
    previous week or month (month-to-date against the same days last month). A comparison is only
    made when its whole baseline lies inside the data.

    Decomposition, per line (the output grain plus token type, pricing tier, charge category and
    unit), with q the consumed quantity and c the cost:
      volume effect = (q_now - q_before) x c_before / q_before
      price effect  = (c_now / q_now - c_before / q_before) x q_now = change - volume effect
    so volume + price = change exactly. A new line (nothing before) and a line without a quantity
    are all volume; a disappeared line is all volume (-c_before). The output sums its lines, so a
    shift between token types or tiers (e.g. to batch) of one model counts as the volume of each
    line, and the price effect is only a change of what a unit of the same line costs.
-#}

{{ config(materialized='table') }}

{%- set grain = ['team_id', 'application_id', 'provider', 'model_id', 'billing_currency'] -%}
{%- set line = grain + ['token_type', 'pricing_tier', 'charge_category', 'consumed_unit'] -%}

with daily as (

    select
        usage_date,
        {{ line | join(', ') }},
        sum(billed_cost) as cost,
        sum(consumed_quantity) as quantity
    from {{ ref('fct_ai_cost_daily') }}
    where cost_kind = 'invoiced'
    group by usage_date, {{ line | join(', ') }}

),

bounds as (

    select min(usage_date) as first_day, max(usage_date) as last_day from daily

),

days as (

    select distinct usage_date as day from daily

),

day_periods as (

    select
        'day_vs_trailing_7d' as comparison,
        day as period_start,
        {{ dbt.dateadd('day', 1, 'day') }} as period_end,
        {{ dbt.dateadd('day', -7, 'day') }} as baseline_start,
        day as baseline_end,
        7 as baseline_days
    from days

),

week_starts as (

    select distinct cast({{ dbt.date_trunc('week', 'day') }} as date) as period_start from days

),

month_starts as (

    select distinct cast({{ dbt.date_trunc('month', 'day') }} as date) as period_start from days

),

calendar_periods as (

    select
        'week_over_week' as comparison,
        period_start,
        cast({{ dbt.dateadd('day', 7, 'period_start') }} as date) as full_end,
        cast({{ dbt.dateadd('day', -7, 'period_start') }} as date) as baseline_start
    from week_starts
    union all
    select
        'month_over_month' as comparison,
        period_start,
        cast({{ dbt.dateadd('month', 1, 'period_start') }} as date) as full_end,
        cast({{ dbt.dateadd('month', -1, 'period_start') }} as date) as baseline_start
    from month_starts

),

to_date_periods as (

    select
        calendar_periods.comparison,
        calendar_periods.period_start,
        case
            when calendar_periods.full_end > bounds.last_day
                then cast({{ dbt.dateadd('day', 1, 'bounds.last_day') }} as date)
            else calendar_periods.full_end
        end as period_end,
        calendar_periods.baseline_start
    from calendar_periods
    cross join bounds

),

periods as (

    select
        comparison,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(baseline_start as date) as baseline_start,
        cast(baseline_end as date) as baseline_end,
        baseline_days
    from day_periods
    union all
    select
        comparison,
        period_start,
        period_end,
        baseline_start,
        {#- the same number of leading days, never past the period's own start -#}
        case
            when {{ dbt.dateadd('day', dbt.datediff('period_start', 'period_end', 'day'), 'baseline_start') }} < period_start
                then cast({{ dbt.dateadd('day', dbt.datediff('period_start', 'period_end', 'day'), 'baseline_start') }} as date)
            else period_start
        end as baseline_end,
        1 as baseline_days
    from to_date_periods

),

complete_periods as (

    select periods.*
    from periods
    cross join bounds
    where periods.baseline_start >= bounds.first_day

),

lines as (

    select
        complete_periods.comparison,
        complete_periods.period_start,
        complete_periods.period_end,
        complete_periods.baseline_start,
        complete_periods.baseline_end,
        complete_periods.baseline_days,
        {% for column in line %}daily.{{ column }},{% endfor %}
        sum(case when daily.usage_date >= complete_periods.period_start then daily.cost end) as cost_now,
        sum(case when daily.usage_date < complete_periods.baseline_end then daily.cost end) as cost_baseline,
        sum(case when daily.usage_date >= complete_periods.period_start then daily.quantity end) as quantity_now,
        sum(case when daily.usage_date < complete_periods.baseline_end then daily.quantity end) as quantity_baseline
    from complete_periods
    inner join daily
        on (
            daily.usage_date >= complete_periods.period_start
            and daily.usage_date < complete_periods.period_end
        )
        or (
            daily.usage_date >= complete_periods.baseline_start
            and daily.usage_date < complete_periods.baseline_end
        )
    group by
        complete_periods.comparison,
        complete_periods.period_start,
        complete_periods.period_end,
        complete_periods.baseline_start,
        complete_periods.baseline_end,
        complete_periods.baseline_days,
        {% for column in line %}daily.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}

),

line_amounts as (

    select
        *,
        cast(coalesce(cost_now, 0) as decimal(38, 10)) as cost_current,
        cast(coalesce(cost_baseline, 0) / baseline_days as decimal(38, 10)) as cost_before,
        cast(coalesce(quantity_now, 0) as decimal(38, 6)) as quantity_current,
        cast(coalesce(quantity_baseline, 0) / baseline_days as decimal(38, 6)) as quantity_before
    from lines

),

line_effects as (

    select
        *,
        cost_current - cost_before as cost_change,
        case
            when quantity_before > 0
                then cast(cost_before * quantity_current / quantity_before as decimal(38, 10)) - cost_before
            else cost_current - cost_before
        end as volume_effect
    from line_amounts

),

drivers as (

    select
        comparison,
        period_start,
        period_end,
        baseline_start,
        baseline_end,
        {{ grain | join(', ') }},
        sum(cost_current) as cost_current,
        sum(cost_before) as cost_before,
        sum(cost_change) as cost_change,
        sum(volume_effect) as volume_effect,
        sum(cost_change - volume_effect) as price_effect,
        sum(case when consumed_unit = 'tokens' then quantity_current else 0 end) as tokens_current,
        sum(case when consumed_unit = 'tokens' then quantity_before else 0 end) as tokens_before
    from line_effects
    group by comparison, period_start, period_end, baseline_start, baseline_end, {{ grain | join(', ') }}

),

ranked as (

    select
        *,
        sum(cost_change) over (partition by comparison, period_start, billing_currency) as period_cost_change,
        row_number() over (
            partition by comparison, period_start, billing_currency
            order by cost_change desc, application_id, model_id, provider, team_id
        ) as change_rank
    from drivers

)

select
    cast({{ surrogate_key(['comparison', 'period_start'] + grain) }} as {{ dbt.type_string() }}) as spend_driver_key,
    cast(comparison as {{ dbt.type_string() }}) as comparison,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast(baseline_start as date) as baseline_start,
    cast(baseline_end as date) as baseline_end,
    cast(team_id as {{ dbt.type_string() }}) as team_id,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(model_id as {{ dbt.type_string() }}) as model_id,
    cast(billing_currency as {{ dbt.type_string() }}) as billing_currency,
    cast(cost_current as decimal(38, 10)) as cost_current,
    cast(cost_before as decimal(38, 10)) as cost_before,
    cast(cost_change as decimal(38, 10)) as cost_change,
    cast(volume_effect as decimal(38, 10)) as volume_effect,
    cast(price_effect as decimal(38, 10)) as price_effect,
    cast(tokens_current as decimal(38, 6)) as tokens_current,
    cast(tokens_before as decimal(38, 6)) as tokens_before,
    cast(period_cost_change as decimal(38, 10)) as period_cost_change,
    cast(change_rank as bigint) as change_rank
from ranked
