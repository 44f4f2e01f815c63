-- Finance: was the spike more usage or higher prices, and which team, application and model?
-- rpt_spend_drivers compares every day's invoiced cost with the average day of the 7 days before
-- it and splits the change into volume (more tokens at the old unit cost) and price (a different
-- cost per token). The biggest jumps per application name the day, the application, its team, the
-- provider and model that moved most, and how much of the jump is volume and how much price.
with by_application as (
    select
        period_start as usage_date,
        application_id,
        team_id,
        billing_currency,
        sum(cost_current) as cost,
        sum(cost_before) as baseline,
        sum(cost_change) as increase,
        sum(volume_effect) as volume_effect,
        sum(price_effect) as price_effect
    from rpt_spend_drivers
    where comparison = 'day_vs_trailing_7d' and application_id is not null
    group by period_start, application_id, team_id, billing_currency
),
by_model as (
    select
        period_start,
        application_id,
        billing_currency,
        provider,
        model_id,
        row_number() over (
            partition by period_start, application_id, billing_currency
            order by cost_change desc, provider, model_id
        ) as model_rank
    from rpt_spend_drivers
    where comparison = 'day_vs_trailing_7d' and application_id is not null
)
select
    by_application.*,
    by_model.provider as top_provider,
    by_model.model_id as top_model
from by_application
inner join by_model
    on by_model.period_start = by_application.usage_date
    and by_model.application_id = by_application.application_id
    and by_model.billing_currency = by_application.billing_currency
    and by_model.model_rank = 1
order by increase desc
limit 5
