-- Risk and compliance: evidence that monitoring was in place, per framework control.
select framework, control_reference, policy_id, rule, is_enabled, evaluated_through_date,
    open_violations, excepted_violations, reraised_violations
from rpt_control_coverage
order by framework, control_reference, policy_id
