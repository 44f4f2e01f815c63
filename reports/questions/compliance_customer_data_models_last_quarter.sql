-- Risk and compliance: which models touched customer personal data last quarter?
-- An application's declared data categories apply to all its usage (governance/applications.yml).
-- $quarter_start: first day of the quarter asked about, e.g. date '2026-07-01'.
select provider, model_id, count(distinct application_id) as applications, sum(total_tokens) as tokens
from rpt_sensitive_data_model_usage
where data_category = 'customer_personal_data'
    and usage_quarter = $quarter_start
group by provider, model_id
order by tokens desc
