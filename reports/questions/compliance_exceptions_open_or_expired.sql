-- Risk and compliance: which policy exceptions are in force, and which have expired but are still needed?
select exception_id, policy_id, subject_id,
    min(case when status = 'excepted' then usage_date end) as excepted_from,
    max(case when status = 'excepted' then usage_date end) as excepted_until,
    min(case when status = 'reraised' then usage_date end) as reraised_from,
    max(exception_expires_on) as expires_on
from fct_policy_violations
where exception_id is not null
group by exception_id, policy_id, subject_id
order by exception_id
