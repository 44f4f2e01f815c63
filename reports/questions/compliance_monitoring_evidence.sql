-- Risk and compliance: evidence that monitoring was in place, per framework control: which policy
-- serves it, whether it is enabled, and through which day the usage was evaluated against it.
-- (How many findings are open: compliance_open_findings.sql.)
select framework, control_reference, policy_id, rule, is_enabled, evaluated_through_date
from rpt_control_coverage
order by framework, control_reference, policy_id
