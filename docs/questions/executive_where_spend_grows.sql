-- Executives: where is AI spend growing? Invoiced spend per provider, month over month.
with monthly as (
    select provider, cast(date_trunc('month', usage_date) as date) as month, sum(billed_cost) as spend
    from fct_ai_cost_daily
    where cost_kind = 'invoiced'
    group by provider, date_trunc('month', usage_date)
)
select provider, month, spend,
    spend - lag(spend) over (partition by provider order by month) as change
from monthly
order by provider, month
