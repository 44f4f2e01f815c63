-- Risk and compliance: which findings are open at the end of a period, and which usage is
-- unapproved or comes from shadow credentials?
-- A finding is one subject (an application, credential or person) of one policy. It is open at
-- $period_end when its latest finding day on or before $period_end is open, or re-raised because an
-- exception expired; a subject whose latest day is covered by an exception in force is not open.
-- Filter on rule for one question, e.g. rule in ('model_not_approved_for_application',
-- 'model_not_reviewed', 'shadow_credential') for unapproved and shadow usage.
with subject_days as (
    select
        policy_id, rule, severity, subject_type, subject_id, application_id, team_id, status,
        usage_date, request_count, total_tokens,
        row_number() over (
            partition by policy_id, subject_type, subject_id order by usage_date desc
        ) as recency
    from fct_policy_violations
    where usage_date <= $period_end
),

subjects as (
    select
        policy_id, subject_type, subject_id,
        min(usage_date) as first_day,
        max(usage_date) as last_day,
        sum(request_count) as requests,
        sum(total_tokens) as tokens
    from subject_days
    group by policy_id, subject_type, subject_id
)

select
    latest.policy_id, latest.rule, latest.severity, latest.subject_type, latest.subject_id,
    latest.application_id, latest.team_id, latest.status,
    subjects.first_day, subjects.last_day, subjects.requests, subjects.tokens
from subject_days as latest
inner join subjects
    on subjects.policy_id = latest.policy_id
    and subjects.subject_type = latest.subject_type
    and subjects.subject_id = latest.subject_id
where latest.recency = 1 and latest.status in ('open', 'reraised')
order by latest.policy_id, latest.subject_type, latest.subject_id
