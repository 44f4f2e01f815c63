-- Risk and compliance: which models touched customer personal data last quarter?
-- Two kinds of evidence, and `basis` says which a model has:
--   declared: an application that declares customer personal data (governance/applications.yml)
--     used the model; all its usage counts (rpt_sensitive_data_model_usage), whatever each prompt held;
--   observed: customer personal data (an email address, a phone number, a national id ...) was
--     found in the prompts or completions sent to the model (rpt_observed_sensitive_data); only the
--     sources that keep prompt text (Bedrock invocation logs with bodies, GenAI spans with content,
--     LiteLLM with stored prompts) can show it, and only counts are kept, never the text.
-- 'declared and observed' when both. `applications` and `tokens` are the declared side's; the
-- observed side lists who sent it (applications, or provider:credential when undeclared) and what.
-- $quarter_start: first day of the quarter asked about, e.g. date '2026-07-01'.
with declared as (
    select provider, model_id, count(distinct application_id) as applications, sum(total_tokens) as tokens
    from rpt_sensitive_data_model_usage
    where data_category = 'customer_personal_data'
        and usage_quarter = $quarter_start
    group by provider, model_id
),

observed as (
    select
        provider,
        model_id,
        string_agg(
            distinct coalesce(application_id, credential_provider || ':' || credential_id), ','
            order by coalesce(application_id, credential_provider || ':' || credential_id)
        ) as observed_senders,
        string_agg(distinct entity_type, ',' order by entity_type) as observed_entity_types
    from rpt_observed_sensitive_data
    where data_category = 'customer_personal_data'
        and usage_date >= $quarter_start
        and usage_date < $quarter_start + interval 3 month
    group by provider, model_id
)

select
    coalesce(declared.provider, observed.provider) as provider,
    coalesce(declared.model_id, observed.model_id) as model_id,
    case
        when declared.model_id is null then 'observed'
        when observed.model_id is null then 'declared'
        else 'declared and observed'
    end as basis,
    declared.applications,
    declared.tokens,
    observed.observed_senders,
    observed.observed_entity_types
from declared
full outer join observed
    on observed.provider = declared.provider
    and observed.model_id = declared.model_id
order by declared.tokens desc nulls last, provider, model_id
