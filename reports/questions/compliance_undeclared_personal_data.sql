-- Risk and compliance: which applications sent personal data we did not declare?
-- Personal data (customer personal data, and the special categories health and payment) found in
-- the prompts or completions an application sent (rpt_observed_sensitive_data), of a category the
-- application does not declare in governance/applications.yml: one row per application, category
-- and entity type, with the models it went to and how many requests held it. A credential that no
-- application declares has declared nothing: it is listed by its credential, application_id null.
-- Observed, not declared: the connectors classify the text in memory and keep only the counts, so
-- only the sources that keep prompt text (Bedrock invocation logs with bodies, GenAI spans with
-- content, LiteLLM with stored prompts) can show it. The policy behind it is
-- observed_data_category_not_allowed (fct_policy_violations).
select
    application_id,
    case when application_id is null then credential_provider || ':' || credential_id end as credential,
    team_id,
    data_category,
    entity_type,
    string_agg(distinct provider || ':' || model_id, ',' order by provider || ':' || model_id) as models,
    min(usage_date) as first_date,
    max(usage_date) as last_date,
    sum(request_count) as requests
from rpt_observed_sensitive_data
where data_category in ('customer_personal_data', 'special_category_health', 'special_category_payment')
    and not is_declared_by_application
group by all
order by application_id nulls last, credential, data_category, entity_type
