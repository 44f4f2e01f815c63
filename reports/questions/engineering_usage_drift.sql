-- Engineering: what changed in how team $team_id uses AI between $period_start and $period_end?
-- Each measure of the team's applications whose week drifted from the application's trailing weeks
-- (rpt_usage_drift: requests, tokens per request, output/input ratio, error, fallback and off-hours
-- shares, model mix, new models or providers through the gateways), for the weeks judged in the
-- period (their Sunday between $period_start and $period_end), with the week's and the baseline's
-- figures and the rule that was broken. No row: nothing changed beyond the thresholds (weeks without
-- enough history have no verdict; rpt_usage_drift says which).
select
    drift.iso_week_start,
    drift.iso_week_end,
    drift.application_id,
    applications.application_name,
    drift.measure,
    drift.value,
    drift.baseline_value,
    drift.change,
    drift.relative_change,
    drift.statistic,
    drift.statistic_value,
    drift.baseline_weeks,
    drift.reason
from rpt_usage_drift as drift
left join dim_application as applications on applications.application_id = drift.application_id
where drift.team_id = $team_id
    and drift.is_significant
    and drift.iso_week_end between $period_start and $period_end
order by drift.iso_week_start, drift.application_id, drift.measure
