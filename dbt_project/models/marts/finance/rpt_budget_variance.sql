{#-
    Budgets (governance budgets.yml) against chargeback cost per month, team or application:
    month-to-date cost in the reporting currency up to the last day with cost data in the month,
    a run-rate forecast to month end (month-to-date / days elapsed x days in the month, rounded to
    cents) and its variance to the budget. A team's cost includes its seats; an application's is
    its usage. Budgets in another currency convert at the rate valid on the month's first day.
    Each month row also carries its quarter and its year as of the same day: the budget of the
    period (the sum of its months' budgets in effect, each month's converted at its own rate, the
    months to come included), its cost to date (the chargeback of its months up to this one) and a
    forecast to the period's end: the cost to date plus the remaining days' forecast of
    rpt_spend_forecast's method (int_spend_forecasts as of as_of_date: each day at its weekday's
    mean daily spend over the trailing 28 days), rounded to cents, and its variance to the budget.
-#}

with budgets as (

    select * from {{ ref('stg_governance__budgets') }}

),

chargeback as (

    select * from {{ ref('rpt_chargeback_monthly') }}

),

rates as (

    select * from {{ ref('stg_governance__fx_rates') }}

),

last_cost_day as (

    select max(usage_date) as last_day
    from {{ ref('fct_ai_cost_daily') }}
    where cost_kind = 'invoiced'

),

months as (

    -- months with cost data up to the last invoiced day
    select distinct chargeback.billing_month as budget_month
    from chargeback
    cross join last_cost_day
    where chargeback.billing_month <= last_cost_day.last_day

),

calendar_months as (

    -- every month of the years with cost data: the months a quarter's or a year's budget sums
    select distinct
        cast({{ dbt.dateadd('month', 'offsets.n', dbt.date_trunc('year', 'months.budget_month')) }} as date)
            as calendar_month
    from months
    cross join (
        select 0 as n union all select 1 union all select 2 union all select 3 union all select 4
        union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
        union all select 10 union all select 11
    ) as offsets

),

calendar_budgets as (

    -- each month's budget in effect, in the reporting currency at the month's first-day rate
    select
        calendar_months.calendar_month,
        cast({{ dbt.date_trunc('quarter', 'calendar_months.calendar_month') }} as date) as quarter_start,
        cast({{ dbt.date_trunc('year', 'calendar_months.calendar_month') }} as date) as year_start,
        budgets.budget_scope as scope,
        budgets.scope_id,
        cast(budgets.budget_amount * rates.rate_to_reporting as decimal(38, 10)) as budget_reporting
    from budgets
    inner join calendar_months
        on calendar_months.calendar_month >= budgets.starts_on
        and (budgets.ends_on is null or calendar_months.calendar_month < budgets.ends_on)
    left join rates
        on rates.currency_code = budgets.currency_code
        and (rates.valid_from is null or rates.valid_from <= calendar_months.calendar_month)
        and (rates.valid_to is null or calendar_months.calendar_month < rates.valid_to)

),

quarter_budgets as (

    select quarter_start, scope, scope_id, sum(budget_reporting) as budget_reporting
    from calendar_budgets
    group by quarter_start, scope, scope_id

),

year_budgets as (

    select year_start, scope, scope_id, sum(budget_reporting) as budget_reporting
    from calendar_budgets
    group by year_start, scope, scope_id

),

spend_forecasts as (

    select * from {{ ref('int_spend_forecasts') }} where horizon in ('quarter', 'year')

),

budget_months as (

    select
        months.budget_month,
        budgets.budget_scope as scope,
        budgets.scope_id,
        budgets.currency_code,
        budgets.budget_amount
    from budgets
    inner join months
        on months.budget_month >= budgets.starts_on
        and (budgets.ends_on is null or months.budget_month < budgets.ends_on)

),

cost_by_scope as (

    select billing_month, 'team' as scope, team_id as scope_id, sum(reporting_cost) as cost
    from chargeback
    where team_id is not null
    group by billing_month, team_id

    union all

    select billing_month, 'application' as scope, application_id as scope_id, sum(reporting_cost) as cost
    from chargeback
    where application_id is not null
    group by billing_month, application_id

),

scope_names as (

    select 'team' as scope, team_id as scope_id, team_name as scope_name from {{ ref('dim_team') }}
    union all
    select 'application' as scope, application_id as scope_id, application_name as scope_name
    from {{ ref('dim_application') }}

),

measured as (

    select
        budget_months.*,
        rates.reporting_currency,
        cast(budget_months.budget_amount * rates.rate_to_reporting as decimal(38, 10)) as budget_reporting,
        cast(coalesce(cost_by_scope.cost, 0) as decimal(38, 10)) as month_to_date_cost,
        case
            when last_cost_day.last_day < {{ dbt.dateadd('month', 1, 'budget_months.budget_month') }}
                then last_cost_day.last_day
            else {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'budget_months.budget_month')) }}
        end as as_of_date,
        {{ dbt.datediff('budget_months.budget_month', dbt.dateadd('month', 1, 'budget_months.budget_month'), 'day') }}
            as days_in_month
    from budget_months
    cross join last_cost_day
    left join rates
        on rates.currency_code = budget_months.currency_code
        and (rates.valid_from is null or rates.valid_from <= budget_months.budget_month)
        and (rates.valid_to is null or budget_months.budget_month < rates.valid_to)
    left join cost_by_scope
        on cost_by_scope.billing_month = budget_months.budget_month
        and cost_by_scope.scope = budget_months.scope
        and cost_by_scope.scope_id = budget_months.scope_id

),

forecast as (

    select
        *,
        {{ dbt.datediff('budget_month', 'as_of_date', 'day') }} + 1 as days_elapsed
    from measured

),

periods_to_date as (

    -- the chargeback of the quarter's and the year's months up to the row's month
    select
        forecast.budget_month,
        forecast.scope,
        forecast.scope_id,
        sum(case
            when cost_by_scope.billing_month >= {{ dbt.date_trunc('quarter', 'forecast.budget_month') }}
                then cost_by_scope.cost
            else 0
        end) as quarter_to_date_cost,
        sum(cost_by_scope.cost) as year_to_date_cost
    from forecast
    inner join cost_by_scope
        on cost_by_scope.scope = forecast.scope
        and cost_by_scope.scope_id = forecast.scope_id
        and cost_by_scope.billing_month >= {{ dbt.date_trunc('year', 'forecast.budget_month') }}
        and cost_by_scope.billing_month <= forecast.budget_month
    group by forecast.budget_month, forecast.scope, forecast.scope_id

),

with_periods as (

    select
        forecast.*,
        cast({{ dbt.date_trunc('quarter', 'forecast.budget_month') }} as date) as quarter_start,
        coalesce(quarter_budgets.budget_reporting, 0) as quarter_budget_reporting,
        coalesce(year_budgets.budget_reporting, 0) as year_budget_reporting,
        coalesce(periods_to_date.quarter_to_date_cost, 0) as quarter_to_date_cost,
        coalesce(periods_to_date.year_to_date_cost, 0) as year_to_date_cost,
        coalesce(quarter_forecast.forecast_cost - quarter_forecast.cost_to_date, 0) as quarter_remaining_forecast,
        coalesce(year_forecast.forecast_cost - year_forecast.cost_to_date, 0) as year_remaining_forecast
    from forecast
    left join quarter_budgets
        on quarter_budgets.quarter_start = {{ dbt.date_trunc('quarter', 'forecast.budget_month') }}
        and quarter_budgets.scope = forecast.scope
        and quarter_budgets.scope_id = forecast.scope_id
    left join year_budgets
        on year_budgets.year_start = {{ dbt.date_trunc('year', 'forecast.budget_month') }}
        and year_budgets.scope = forecast.scope
        and year_budgets.scope_id = forecast.scope_id
    left join periods_to_date
        on periods_to_date.budget_month = forecast.budget_month
        and periods_to_date.scope = forecast.scope
        and periods_to_date.scope_id = forecast.scope_id
    left join spend_forecasts as quarter_forecast
        on quarter_forecast.horizon = 'quarter'
        and quarter_forecast.scope = forecast.scope
        and quarter_forecast.scope_id = forecast.scope_id
        and quarter_forecast.as_of_date = forecast.as_of_date
    left join spend_forecasts as year_forecast
        on year_forecast.horizon = 'year'
        and year_forecast.scope = forecast.scope
        and year_forecast.scope_id = forecast.scope_id
        and year_forecast.as_of_date = forecast.as_of_date

),

final as (

    select
        *,
        -- month-to-date x days in month is exact; the one division is rounded to cents
        cast({{ decimal_divide('month_to_date_cost * days_in_month', 'days_elapsed', 2) }} as decimal(38, 10))
            as forecast_month_end_cost,
        cast(round(quarter_to_date_cost + quarter_remaining_forecast, 2) as decimal(38, 10))
            as forecast_quarter_end_cost,
        cast(round(year_to_date_cost + year_remaining_forecast, 2) as decimal(38, 10))
            as forecast_year_end_cost
    from with_periods

)

select
    cast({{ surrogate_key(['final.budget_month', 'final.scope', 'final.scope_id']) }} as {{ dbt.type_string() }})
        as budget_variance_key,
    cast(final.budget_month as date) as budget_month,
    cast(final.as_of_date as date) as as_of_date,
    cast(final.scope as {{ dbt.type_string() }}) as scope,
    cast(final.scope_id as {{ dbt.type_string() }}) as scope_id,
    cast(scope_names.scope_name as {{ dbt.type_string() }}) as scope_name,
    cast(final.reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
    cast(final.budget_reporting as decimal(38, 10)) as budget_amount,
    cast(final.month_to_date_cost as decimal(38, 10)) as month_to_date_cost,
    cast(final.days_elapsed as integer) as days_elapsed,
    cast(final.days_in_month as integer) as days_in_month,
    cast(final.forecast_month_end_cost as decimal(38, 10)) as forecast_month_end_cost,
    cast(final.forecast_month_end_cost - final.budget_reporting as decimal(38, 10)) as forecast_variance,
    cast({{ decimal_divide(
        '(final.forecast_month_end_cost - final.budget_reporting) * 100', 'final.budget_reporting', 4
    ) }} as decimal(38, 4)) as forecast_variance_pct,
    cast(final.forecast_month_end_cost > final.budget_reporting as boolean) as is_forecast_over_budget,
    cast(final.quarter_start as date) as quarter_start,
    cast(final.quarter_budget_reporting as decimal(38, 10)) as quarter_budget_amount,
    cast(final.quarter_to_date_cost as decimal(38, 10)) as quarter_to_date_cost,
    cast(final.forecast_quarter_end_cost as decimal(38, 10)) as forecast_quarter_end_cost,
    cast(final.forecast_quarter_end_cost - final.quarter_budget_reporting as decimal(38, 10))
        as forecast_quarter_variance,
    cast(final.year_budget_reporting as decimal(38, 10)) as year_budget_amount,
    cast(final.year_to_date_cost as decimal(38, 10)) as year_to_date_cost,
    cast(final.forecast_year_end_cost as decimal(38, 10)) as forecast_year_end_cost,
    cast(final.forecast_year_end_cost - final.year_budget_reporting as decimal(38, 10))
        as forecast_year_variance
from final
left join scope_names
    on scope_names.scope = final.scope
    and scope_names.scope_id = final.scope_id
