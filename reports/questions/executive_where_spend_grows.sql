-- Executives: where is AI spend growing? Invoiced spend per provider, month over month.
-- A month the data covers only in part (the first month of history, the month in progress) is
-- compared pro rata: run_rate is the spend scaled to the whole month by the days covered, and
-- change is the run rate's change on the month before.
with covered as (
    select min(usage_date) as first_day, max(usage_date) as last_day
    from fct_ai_cost_daily
    where cost_kind = 'invoiced'
),
monthly as (
    select provider, cast(date_trunc('month', usage_date) as date) as month, sum(billed_cost) as spend
    from fct_ai_cost_daily
    where cost_kind = 'invoiced'
    group by provider, date_trunc('month', usage_date)
),
with_days as (
    select
        monthly.*,
        datediff('day', month, cast(month + interval 1 month as date)) as days_in_month,
        datediff(
            'day',
            greatest(month, covered.first_day),
            least(cast(month + interval 1 month as date), covered.last_day + 1)
        ) as days_covered
    from monthly cross join covered
)
select provider, month, days_covered, days_in_month, spend,
    cast(spend * days_in_month / days_covered as decimal(38, 2)) as run_rate,
    cast(spend * days_in_month / days_covered as decimal(38, 2))
        - lag(cast(spend * days_in_month / days_covered as decimal(38, 2)))
            over (partition by provider order by month) as change
from with_days
order by provider, month
