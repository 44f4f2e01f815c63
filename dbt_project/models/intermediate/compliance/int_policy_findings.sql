{#-
    Every finding of every rule, one row per evidence row (a usage_key, a logged request, or a seat
    held on a day), with the
    enabled policies that run the rule and the exception that covers it, if any. An exception covers
    a finding when its policy matches and each scope it sets (application, credential, model) matches;
    it applies from starts_on until the day before expires_on, after which the finding is re-raised.
-#}

{% set usage_rules = [
    'int_findings_model_not_approved',
    'int_findings_model_not_reviewed',
    'int_findings_use_category_not_allowed',
    'int_findings_data_category_not_allowed',
    'int_findings_environment_not_approved',
    'int_findings_retired_application_in_use',
    'int_findings_shadow_credential',
    'int_findings_usage_by_inactive_person',
] %}

with findings as (

    {% for model in usage_rules %}
    select
        rule,
        usage_key as evidence_key,
        usage_date,
        application_id,
        team_id,
        credential_provider,
        credential_id,
        provider,
        model_id,
        person_id,
        request_count,
        total_tokens
    from {{ ref(model) }}
    union all
    {% endfor %}
    select * from {{ ref('int_findings_prompt_logging_forbidden') }}
    union all
    select * from {{ ref('int_findings_paid_seat_held_by_inactive_person') }}
    union all
    select * from {{ ref('int_findings_observed_data_category_not_allowed') }}

),

policies as (

    select * from {{ ref('stg_governance__policies') }}
    where is_enabled

),

exceptions as (

    select * from {{ ref('stg_governance__exceptions') }}

),

with_policy as (

    select
        policies.policy_id,
        policies.severity,
        findings.*
    from findings
    inner join policies on policies.rule = findings.rule

),

covering as (

    select
        with_policy.policy_id,
        with_policy.evidence_key,
        exceptions.exception_id,
        exceptions.expires_on,
        case
            when with_policy.usage_date >= exceptions.starts_on
                and with_policy.usage_date < exceptions.expires_on then 'excepted'
            when with_policy.usage_date >= exceptions.expires_on then 'reraised'
        end as exception_state
    from with_policy
    inner join exceptions
        on exceptions.policy_id = with_policy.policy_id
        and (exceptions.application_id is null or exceptions.application_id = with_policy.application_id)
        and (exceptions.credential_id is null or exceptions.credential_id = with_policy.credential_id)
        and (exceptions.model_id is null or exceptions.model_id = with_policy.model_id)

),

-- An exception in force wins over an expired one; among several, the one expiring last.
ranked as (

    select
        *,
        row_number() over (
            partition by policy_id, evidence_key
            order by case exception_state when 'excepted' then 0 else 1 end, expires_on desc
        ) as preference
    from covering
    where exception_state is not null

)

select
    with_policy.*,
    coalesce(ranked.exception_state, 'open') as status,
    ranked.exception_id,
    ranked.expires_on as exception_expires_on
from with_policy
left join ranked
    on ranked.policy_id = with_policy.policy_id
    and ranked.evidence_key = with_policy.evidence_key
    and ranked.preference = 1
