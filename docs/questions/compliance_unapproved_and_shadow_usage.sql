-- Risk and compliance: which usage is unapproved or comes from shadow credentials?
-- Open and re-raised findings of the approval, review and shadow policies, per subject.
select policy_id, rule, subject_type, subject_id, status,
    min(usage_date) as first_day, max(usage_date) as last_day, sum(request_count) as requests
from fct_policy_violations
where rule in ('model_not_approved_for_application', 'model_not_reviewed', 'shadow_credential')
    and status in ('open', 'reraised')
group by policy_id, rule, subject_type, subject_id, status
order by policy_id, subject_id
