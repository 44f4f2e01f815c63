{#-
    Spend forecasts per team and application to the end of the month, quarter and year, as of the
    last day with invoiced cost data, in the reporting currency, rounded to cents. A team's spend
    includes its seats; an application's is its allocated usage (as rpt_chargeback_monthly charges
    them, before the closed books). Method weekday_profile_28d (int_spend_forecasts): each
    remaining day of the period at its weekday's mean daily spend over the trailing 28 days, added
    to the period's cost to date; the interval is forecast -/+ 1.645 x sqrt(sigma^2 x R + R^2 x
    (sigma^2 / n + L)) (a nominal 90% interval; sigma^2 the variance of the window's days around
    their weekday means, L the variance of its whole weeks' mean daily spend, R the remaining days,
    n the days of history), its lower bound never below the cost to date.
    A scope with less than 28 days of history uses what there is (is_short_history); a declared
    scope that never spent forecasts zero. docs/finance-forecasts.md has the back-test.
-#}

with forecasts as (

    select * from {{ ref('int_spend_forecasts') }}

),

as_of as (

    select max(as_of_date) as as_of_date from forecasts

),

scope_names as (

    select 'team' as scope, team_id as scope_id, team_name as scope_name from {{ ref('dim_team') }}
    union all
    select 'application' as scope, application_id as scope_id, application_name as scope_name
    from {{ ref('dim_application') }}

)

select
    cast({{ surrogate_key(['forecasts.as_of_date', 'forecasts.scope', 'forecasts.scope_id', 'forecasts.horizon']) }}
        as {{ dbt.type_string() }}) as spend_forecast_key,
    cast(forecasts.as_of_date as date) as as_of_date,
    cast(forecasts.scope as {{ dbt.type_string() }}) as scope,
    cast(forecasts.scope_id as {{ dbt.type_string() }}) as scope_id,
    cast(scope_names.scope_name as {{ dbt.type_string() }}) as scope_name,
    cast(forecasts.horizon as {{ dbt.type_string() }}) as horizon,
    cast(forecasts.period_start as date) as period_start,
    cast(forecasts.period_end as date) as period_end,
    cast(forecasts.forecast_method as {{ dbt.type_string() }}) as forecast_method,
    cast(forecasts.history_days as integer) as history_days,
    cast(forecasts.history_days < {{ var('spend_forecast_window_days') }} as boolean) as is_short_history,
    cast(forecasts.remaining_days as integer) as remaining_days,
    cast(forecasts.reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
    cast(round(forecasts.cost_to_date, 2) as decimal(38, 10)) as cost_to_date,
    cast(round(forecasts.forecast_cost, 2) as decimal(38, 10)) as forecast_cost,
    cast(round(forecasts.forecast_lower_cost, 2) as decimal(38, 10)) as forecast_lower_cost,
    cast(round(forecasts.forecast_upper_cost, 2) as decimal(38, 10)) as forecast_upper_cost
from forecasts
inner join as_of on as_of.as_of_date = forecasts.as_of_date
left join scope_names
    on scope_names.scope = forecasts.scope
    and scope_names.scope_id = forecasts.scope_id
