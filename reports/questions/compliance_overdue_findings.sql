-- Risk and compliance: which findings are overdue, and whose are they?
-- A finding is one subject of one policy that compliance_open_findings.sql reports as open. It is
-- overdue when it is still open or acknowledged (not remediated, not risk accepted) after its due
-- date: the day it was opened plus its severity's days in governance/remediation_sla.yml, counted to
-- rpt_remediation's evaluated_date, the latest day the data covers. A finding remediated that came
-- back is open again from the day it reappeared. Its owner is the application's owning team, or for a
-- credential no application declares the team of the holder's manager (owner_basis says which);
-- findings nobody can own come last, without a team.
-- One row per overdue finding, with the team's accountable owner and its count of overdue findings;
-- the teams in order, each team's longest overdue first.
select
    remediation.owner_team_id,
    remediation.owner_team_name,
    teams.owner_email as team_owner_email,
    count(*) over (partition by remediation.owner_team_id) as team_overdue_findings,
    remediation.owner_basis,
    remediation.policy_id,
    remediation.rule,
    remediation.severity,
    remediation.subject_type,
    remediation.subject_id,
    remediation.credential_holder,
    remediation.status,
    remediation.ticket_id,
    remediation.opened_date,
    remediation.due_date,
    remediation.days_overdue,
    remediation.evaluated_date,
    remediation.finding_key
from rpt_remediation as remediation
left join dim_team as teams on teams.team_id = remediation.owner_team_id
where remediation.is_overdue
order by
    remediation.owner_team_id nulls last,
    remediation.days_overdue desc,
    remediation.finding_key
