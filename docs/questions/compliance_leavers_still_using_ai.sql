-- Risk and compliance: who still uses AI after leaving (or while suspended)?
select person_id, application_id, credential_provider, credential_id, first_date, last_date, active_days, request_count
from rpt_access_anomalies
where anomaly_type = 'inactive_person_active'
order by first_date, person_id
