{#-
    Spend forecasts per team and application, as of each day, to the end of its month, quarter and
    year (horizon), unrounded, in the reporting currency. Method weekday_profile_28d:
    - cost_to_date: the scope's spend from the period's first day to the as-of day;
    - each remaining day of the period is forecast at its weekday's mean daily spend over the
      trailing 28 days (int_spend_forecast_profiles): remaining_forecast = sum over weekdays of
      weekday_mean x that weekday's remaining days; forecast_cost = cost_to_date + remaining_forecast
      (no trend: a level and a weekly shape);
    - interval: forecast_cost -/+ z x sqrt(sigma^2 x R + R^2 x (sigma^2 / n + L)), with sigma^2 the
      residual variance of the window's days around their weekday means, L the variance of its whole
      weeks' mean daily spend (int_spend_forecast_profiles), R the remaining days and n the days of
      history: R days of daily noise, plus the uncertainty of the level and its week-to-week moves,
      each carried over R days. z is var spend_forecast_z (1.645, a nominal two-sided 90%
      interval). The lower bound is never below cost_to_date. A scope with no history (never spent)
      forecasts cost_to_date with no interval.
    The weekday of the d-th remaining day is (as-of weekday + d) mod 7, so a weekday w occurs
    floor(R / 7) times, once more when (w - as-of weekday - 1) mod 7 < R mod 7.
-#}

with daily as (

    select * from {{ ref('int_spend_daily') }}

),

profiles as (

    select * from {{ ref('int_spend_forecast_profiles') }}

),

horizons as (

    select 'month' as horizon, 1 as months
    union all select 'quarter', 3
    union all select 'year', 12

),

periods as (

    select
        daily.scope,
        daily.scope_id,
        daily.spend_date as as_of_date,
        daily.weekday as as_of_weekday,
        daily.reporting_currency,
        daily.cumulative_spend,
        horizons.horizon,
        horizons.months,
        case horizons.horizon
            when 'month' then cast({{ dbt.date_trunc('month', 'daily.spend_date') }} as date)
            when 'quarter' then cast({{ dbt.date_trunc('quarter', 'daily.spend_date') }} as date)
            else cast({{ dbt.date_trunc('year', 'daily.spend_date') }} as date)
        end as period_start
    from daily
    cross join horizons

),

bounded as (

    select
        periods.*,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 'periods.months', 'periods.period_start')) }} as date)
            as period_end,
        -- spend before the period: the cumulative spend on the day before it (none before history)
        periods.cumulative_spend - coalesce(before_period.cumulative_spend, 0) as cost_to_date
    from periods
    left join daily as before_period
        on before_period.scope = periods.scope
        and before_period.scope_id = periods.scope_id
        and before_period.spend_date = {{ dbt.dateadd('day', -1, 'periods.period_start') }}

),

remaining as (

    select
        *,
        {{ dbt.datediff('as_of_date', 'period_end', 'day') }} as remaining_days
    from bounded

),

projected as (

    select
        remaining.scope,
        remaining.scope_id,
        remaining.as_of_date,
        remaining.horizon,
        max(remaining.period_start) as period_start,
        max(remaining.period_end) as period_end,
        max(remaining.reporting_currency) as reporting_currency,
        max(remaining.cost_to_date) as cost_to_date,
        max(remaining.remaining_days) as remaining_days,
        coalesce(max(profiles.history_days), 0) as history_days,
        coalesce(max(profiles.residual_variance), 0) as residual_variance,
        coalesce(max(profiles.level_variance), 0) as level_variance,
        coalesce(sum(
            profiles.weekday_mean * (
                cast((remaining.remaining_days - mod(remaining.remaining_days, 7)) / 7 as integer)
                + case
                    when mod(profiles.weekday - remaining.as_of_weekday - 1 + 14, 7) < mod(remaining.remaining_days, 7)
                        then 1
                    else 0
                end
            )
        ), 0) as remaining_forecast
    from remaining
    left join profiles
        on profiles.scope = remaining.scope
        and profiles.scope_id = remaining.scope_id
        and profiles.as_of_date = remaining.as_of_date
    group by remaining.scope, remaining.scope_id, remaining.as_of_date, remaining.horizon

),

forecast as (

    select
        *,
        cost_to_date + case when remaining_forecast > 0 then remaining_forecast else 0 end as forecast_cost,
        case
            when history_days = 0 then 0
            else {{ var('spend_forecast_z') }} * sqrt(
                residual_variance * remaining_days
                + remaining_days * remaining_days * (residual_variance / history_days + level_variance)
            )
        end as half_width
    from projected

)

select
    cast(scope as {{ dbt.type_string() }}) as scope,
    cast(scope_id as {{ dbt.type_string() }}) as scope_id,
    cast(as_of_date as date) as as_of_date,
    cast(horizon as {{ dbt.type_string() }}) as horizon,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    cast('weekday_profile_{{ var("spend_forecast_window_days") }}d' as {{ dbt.type_string() }}) as forecast_method,
    cast(history_days as integer) as history_days,
    cast(remaining_days as integer) as remaining_days,
    cast(reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
    cast(cost_to_date as decimal(38, 10)) as cost_to_date,
    cast(forecast_cost as decimal(38, 10)) as forecast_cost,
    cast(
        case
            when forecast_cost - cast(half_width as decimal(38, 10)) < cost_to_date then cost_to_date
            else forecast_cost - cast(half_width as decimal(38, 10))
        end as decimal(38, 10)
    ) as forecast_lower_cost,
    cast(forecast_cost + cast(half_width as decimal(38, 10)) as decimal(38, 10)) as forecast_upper_cost
from forecast
