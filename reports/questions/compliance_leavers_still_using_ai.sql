-- Risk and compliance: who still uses AI after leaving (or while suspended)?
-- Every day a credential held by a person who had left or was suspended that day was used, per
-- person and application (the usage_by_inactive_person findings).
select person_id, application_id, credential_ids,
    min(usage_date) as first_date,
    max(usage_date) as last_date,
    count(distinct usage_date) as active_days,
    sum(request_count) as request_count
from fct_policy_violations
where rule = 'usage_by_inactive_person'
group by person_id, application_id, credential_ids
order by first_date, person_id
