{#-
    Daily chargeback spend per team and per application in the reporting currency, unrounded, on
    every day from the first day with invoiced cost to the last (the as-of day of the forecasts):
    a team's spend is its allocated invoiced usage and its seats, an application's its allocated
    usage, each converted at the governance FX rate valid on the day (as int_chargeback_lines does
    before it rounds each month to cents). Every declared team and application has a row each day
    (zero on a day without spend), and so does any other scope id that has spend. first_spend_date
    is the scope's first day with spend: the forecasts read no history before it.
    weekday: 0 Monday .. 6 Sunday, from the days since Monday 1900-01-01 (portable arithmetic).
-#}

with usage as (

    select usage_date as spend_date, team_id, application_id, billing_currency, billed_cost
    from {{ ref('int_usage_cost_allocated') }}

),

seats as (

    select
        activity_date as spend_date,
        team_id,
        cast(null as {{ dbt.type_string() }}) as application_id,
        billing_currency,
        seat_cost as billed_cost
    from {{ ref('int_seat_cost_amortised_daily') }}

),

rates as (

    select * from {{ ref('stg_governance__fx_rates') }}

),

converted as (

    select
        lines.spend_date,
        lines.team_id,
        lines.application_id,
        cast(lines.billed_cost * rates.rate_to_reporting as decimal(38, 10)) as spend
    from (select * from usage union all select * from seats) as lines
    left join rates
        on rates.currency_code = lines.billing_currency
        and (rates.valid_from is null or rates.valid_from <= lines.spend_date)
        and (rates.valid_to is null or lines.spend_date < rates.valid_to)

),

by_scope as (

    select spend_date, 'team' as scope, team_id as scope_id, sum(spend) as spend
    from converted
    where team_id is not null
    group by spend_date, team_id

    union all

    select spend_date, 'application' as scope, application_id as scope_id, sum(spend) as spend
    from converted
    where application_id is not null
    group by spend_date, application_id

),

history as (

    -- the days with invoiced cost data: the first to the last (the forecasts' as-of day)
    select min(usage_date) as first_day, max(usage_date) as last_day
    from {{ ref('int_ai_cost_daily') }}
    where cost_kind = 'invoiced'

),

days as (

    {{ day_spine('(select first_day from history)', dbt.dateadd('day', 1, '(select last_day from history)')) }}

),

scopes as (

    select 'team' as scope, team_id as scope_id from {{ ref('stg_governance__teams') }}
    union
    select 'application' as scope, application_id as scope_id from {{ ref('stg_governance__applications') }}
    union
    select distinct scope, scope_id from by_scope

),

first_spend as (

    select scope, scope_id, min(spend_date) as first_spend_date
    from by_scope
    cross join history
    where spend <> 0 and spend_date between history.first_day and history.last_day
    group by scope, scope_id

),

reporting_currency as (

    select max(reporting_currency) as reporting_currency from rates

),

filled as (

    select
        scopes.scope,
        scopes.scope_id,
        days.spine_day as spend_date,
        first_spend.first_spend_date,
        cast(coalesce(by_scope.spend, 0) as decimal(38, 10)) as spend
    from scopes
    cross join days
    left join first_spend
        on first_spend.scope = scopes.scope
        and first_spend.scope_id = scopes.scope_id
    left join by_scope
        on by_scope.scope = scopes.scope
        and by_scope.scope_id = scopes.scope_id
        and by_scope.spend_date = days.spine_day

)

select
    cast(filled.scope as {{ dbt.type_string() }}) as scope,
    cast(filled.scope_id as {{ dbt.type_string() }}) as scope_id,
    cast(filled.spend_date as date) as spend_date,
    cast(mod({{ dbt.datediff("cast('1900-01-01' as date)", 'filled.spend_date', 'day') }}, 7) as integer)
        as weekday,
    cast(filled.first_spend_date as date) as first_spend_date,
    cast(reporting_currency.reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
    cast(filled.spend as decimal(38, 10)) as spend,
    cast(sum(filled.spend) over (
        partition by filled.scope, filled.scope_id order by filled.spend_date
        rows between unbounded preceding and current row
    ) as decimal(38, 10)) as cumulative_spend
from filled
cross join reporting_currency
