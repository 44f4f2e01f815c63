{#-
    The back-test of the month-end spend forecast (int_spend_forecasts, method
    weekday_profile_28d) on the warehouse's own history: as of each day from the 7th to the 25th of
    every full month of history (its first to its last day hold invoiced cost data), each team's and
    application's forecast of the month's total against the month's actual spend (the same daily
    series to month end). Per scope kind (team, application) and over both (all):
    - mape_pct: mean absolute percentage error, mean of |forecast - actual| / actual x 100 over the
      forecasts whose actual is not zero;
    - interval_coverage_pct: the share of actuals within [forecast_lower_cost, forecast_upper_cost];
    - run_rate_mape_pct: the same error of the run-rate forecast (cost to date / days elapsed x days
      in the month, as rpt_budget_variance forecasts the month), for comparison.
-#}

with forecasts as (

    select * from {{ ref('int_spend_forecasts') }} where horizon = 'month'

),

history as (

    select min(as_of_date) as first_day, max(as_of_date) as last_day from forecasts

),

actuals as (

    -- each full month's actual spend: the forecast's cost to date as of the month's last day
    select forecasts.scope, forecasts.scope_id, forecasts.period_start, forecasts.cost_to_date as actual_cost
    from forecasts
    cross join history
    where forecasts.as_of_date = forecasts.period_end
        and forecasts.period_start >= history.first_day
        and forecasts.period_end <= history.last_day

),

tested as (

    select
        forecasts.scope,
        forecasts.scope_id,
        forecasts.as_of_date,
        forecasts.period_start,
        forecasts.forecast_method,
        actuals.actual_cost,
        forecasts.forecast_cost,
        forecasts.forecast_cost - actuals.actual_cost as forecast_error,
        forecasts.cost_to_date
            * ({{ dbt.datediff('forecasts.period_start', 'forecasts.period_end', 'day') }} + 1)
            / ({{ dbt.datediff('forecasts.period_start', 'forecasts.as_of_date', 'day') }} + 1)
            - actuals.actual_cost as run_rate_error,
        case
            when actuals.actual_cost between forecasts.forecast_lower_cost and forecasts.forecast_upper_cost
                then 1
            else 0
        end as is_inside
    from forecasts
    inner join actuals
        on actuals.scope = forecasts.scope
        and actuals.scope_id = forecasts.scope_id
        and actuals.period_start = forecasts.period_start
    where {{ dbt.datediff('forecasts.period_start', 'forecasts.as_of_date', 'day') }} + 1 between 7 and 25

),

kinds as (

    select scope as scope_kind, tested.* from tested
    union all
    select 'all' as scope_kind, tested.* from tested

)

select
    cast(scope_kind as {{ dbt.type_string() }}) as scope_kind,
    cast('month' as {{ dbt.type_string() }}) as horizon,
    cast(max(forecast_method) as {{ dbt.type_string() }}) as forecast_method,
    cast(min(period_start) as date) as first_month,
    cast(max(period_start) as date) as last_month,
    cast(count(distinct period_start) as integer) as months_tested,
    cast(count(distinct {{ dbt.concat(['scope', "':'", 'scope_id']) }}) as integer) as scopes_tested,
    cast(count(*) as integer) as forecasts_tested,
    cast(sum(case when actual_cost <> 0 then 1 else 0 end) as integer) as forecasts_with_actual,
    cast(round(
        100 * avg(case when actual_cost <> 0 then abs(forecast_error) / actual_cost end), 4
    ) as decimal(38, 4)) as mape_pct,
    cast({{ decimal_divide('100.0 * sum(is_inside)', 'count(*)', 4) }} as decimal(38, 4)) as interval_coverage_pct,
    cast(round(
        100 * avg(case when actual_cost <> 0 then abs(run_rate_error) / actual_cost end), 4
    ) as decimal(38, 4)) as run_rate_mape_pct
from kinds
group by scope_kind
