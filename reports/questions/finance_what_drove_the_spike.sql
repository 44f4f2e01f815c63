-- Finance: why did the AI bill spike, and which team, application and model drove it?
-- For every application and day from $period_start, invoiced cost against the application's own
-- trailing 7-day average (days before $period_start count for the average); the biggest jumps name
-- the day, the application, its team and the models behind it.
with daily as (
    select usage_date, application_id, team_id, sum(billed_cost) as cost
    from fct_ai_cost_daily
    where cost_kind = 'invoiced' and application_id is not null
    group by usage_date, application_id, team_id
),
against_baseline as (
    select
        *,
        avg(cost) over (
            partition by application_id order by usage_date rows between 7 preceding and 1 preceding
        ) as baseline
    from daily
)
select
    usage_date,
    application_id,
    team_id,
    cost,
    baseline,
    cost - baseline as increase,
    (
        select string_agg(distinct model_id, ',' order by model_id)
        from fct_ai_cost_daily as c
        where c.usage_date = against_baseline.usage_date
            and c.application_id = against_baseline.application_id
            and c.cost_kind = 'invoiced'
    ) as models
from against_baseline
where baseline is not null and usage_date >= $period_start
order by increase desc
limit 5
