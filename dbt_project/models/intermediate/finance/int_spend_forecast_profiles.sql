{#-
    The day-of-week spend profile of each team and application as of each day, the basis of the
    spend forecasts (int_spend_forecasts). The window is the trailing 28 days (var
    spend_forecast_window_days) ending on the as-of day, from the scope's first day with spend on (a
    scope with less history uses what there is; a scope that never spent has no profile). One row
    per scope, as-of day and weekday (0 Monday .. 6 Sunday):
    - weekday_mean: the weekday's mean daily spend in the window (its spend / its days); a weekday the
      window does not hold yet takes the window's mean daily spend.
    - residual_variance: the spread of the window's days around their weekday's mean,
      sum of squared residuals / (history_days - weekdays in the window); with no degree of freedom
      left (a window of at most one day per weekday) around the window's mean, / (history_days - 1);
      0 with one day.
    - level_variance: how much the level moves from week to week, the sample variance of the mean
      daily spend of the window's whole weeks counted back from the as-of day (0 with fewer than two).
    The last two are the same on the seven rows of a scope and day.
-#}

with daily as (

    select * from {{ ref('int_spend_daily') }}

),

windowed as (

    -- each as-of day's trailing window, the scope's own history only
    select
        as_of.scope,
        as_of.scope_id,
        as_of.spend_date as as_of_date,
        day.spend_date,
        day.weekday,
        day.spend
    from daily as as_of
    inner join daily as day
        on day.scope = as_of.scope
        and day.scope_id = as_of.scope_id
        and day.spend_date > {{ dbt.dateadd('day', -var('spend_forecast_window_days'), 'as_of.spend_date') }}
        and day.spend_date <= as_of.spend_date
        and day.spend_date >= day.first_spend_date

),

totals as (

    select
        scope,
        scope_id,
        as_of_date,
        count(*) as history_days,
        count(distinct weekday) as weekdays_seen,
        sum(spend) as window_spend
    from windowed
    group by scope, scope_id, as_of_date

),

by_weekday as (

    select scope, scope_id, as_of_date, weekday, count(*) as weekday_days, sum(spend) as weekday_spend
    from windowed
    group by scope, scope_id, as_of_date, weekday

),

weekdays as (

    select 0 as weekday union all select 1 union all select 2 union all select 3
    union all select 4 union all select 5 union all select 6

),

profile as (

    select
        totals.scope,
        totals.scope_id,
        totals.as_of_date,
        weekdays.weekday,
        totals.history_days,
        totals.weekdays_seen,
        cast({{ decimal_divide('totals.window_spend', 'totals.history_days', 10) }} as decimal(38, 10)) as window_mean,
        coalesce(by_weekday.weekday_days, 0) as weekday_days,
        cast(coalesce(by_weekday.weekday_spend, 0) as decimal(38, 10)) as weekday_spend,
        cast(
            case
                when by_weekday.weekday_days > 0
                    then {{ decimal_divide('by_weekday.weekday_spend', 'by_weekday.weekday_days', 10) }}
                else {{ decimal_divide('totals.window_spend', 'totals.history_days', 10) }}
            end as decimal(38, 10)
        ) as weekday_mean
    from totals
    cross join weekdays
    left join by_weekday
        on by_weekday.scope = totals.scope
        and by_weekday.scope_id = totals.scope_id
        and by_weekday.as_of_date = totals.as_of_date
        and by_weekday.weekday = weekdays.weekday

),

weeks as (

    -- the mean daily spend of each whole week of the window, counted back from the as-of day
    select scope, scope_id, as_of_date, week_back, {{ decimal_divide('sum(spend)', 7, 10) }} as week_mean
    from (
        select
            *,
            cast(({{ dbt.datediff('spend_date', 'as_of_date', 'day') }}
                - mod({{ dbt.datediff('spend_date', 'as_of_date', 'day') }}, 7)) / 7 as integer) as week_back
        from windowed
    ) as dated
    group by scope, scope_id, as_of_date, week_back
    having count(*) = 7

),

levels as (

    select scope, scope_id, as_of_date, var_samp(cast(week_mean as double)) as level_variance
    from weeks
    group by scope, scope_id, as_of_date
    having count(*) >= 2

),

residuals as (

    select
        windowed.scope,
        windowed.scope_id,
        windowed.as_of_date,
        sum(
            cast(windowed.spend - profile.weekday_mean as double)
            * cast(windowed.spend - profile.weekday_mean as double)
        ) as weekday_squares,
        sum(
            cast(windowed.spend - profile.window_mean as double)
            * cast(windowed.spend - profile.window_mean as double)
        ) as mean_squares
    from windowed
    inner join profile
        on profile.scope = windowed.scope
        and profile.scope_id = windowed.scope_id
        and profile.as_of_date = windowed.as_of_date
        and profile.weekday = windowed.weekday
    group by windowed.scope, windowed.scope_id, windowed.as_of_date

)

select
    cast(profile.scope as {{ dbt.type_string() }}) as scope,
    cast(profile.scope_id as {{ dbt.type_string() }}) as scope_id,
    cast(profile.as_of_date as date) as as_of_date,
    cast(profile.weekday as integer) as weekday,
    cast(profile.history_days as integer) as history_days,
    cast(profile.weekday_days as integer) as weekday_days,
    cast(profile.weekday_spend as decimal(38, 10)) as weekday_spend,
    cast(profile.weekday_mean as decimal(38, 10)) as weekday_mean,
    cast(
        case
            when profile.history_days > profile.weekdays_seen
                then residuals.weekday_squares / (profile.history_days - profile.weekdays_seen)
            when profile.history_days > 1 then residuals.mean_squares / (profile.history_days - 1)
            else 0
        end as double
    ) as residual_variance,
    cast(coalesce(levels.level_variance, 0) as double) as level_variance
from profile
inner join residuals
    on residuals.scope = profile.scope
    and residuals.scope_id = profile.scope_id
    and residuals.as_of_date = profile.as_of_date
left join levels
    on levels.scope = profile.scope
    and levels.scope_id = profile.scope_id
    and levels.as_of_date = profile.as_of_date
