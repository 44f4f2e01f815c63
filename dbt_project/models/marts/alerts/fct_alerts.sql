{{ config(materialized='table') }}

{#-
    One row per alert: an episode (consecutive days) of one condition on one subject, evaluated on the
    published history against governance/thresholds.yml. The key is condition + rule + subject + first
    day, so re-running any day finds the same alert again instead of raising a second one. State is
    read against the latest day its inputs cover: new (first seen that day), ongoing (still present,
    seen before) or resolved (absent that day).
-#}

with rules as (

    select * from {{ ref('stg_governance__alert_rules') }}
    where is_enabled

),

thresholds as (

    select * from {{ ref('stg_governance__alert_cost_thresholds') }}
    where is_enabled

),

levels as (

    {#- Severities and sensitivity tiers share the same four ordered levels. -#}
    select 'low' as level_name, 1 as level_rank
    union all select 'medium', 2
    union all select 'high', 3
    union all select 'critical', 4

),

usage as (

    select * from {{ ref('int_usage_governed') }}

),

usage_span as (

    select min(usage_date) as first_date, max(usage_date) as evaluated_date from usage

),

invoiced as (

    select usage_date, application_id, team_id, model_id, billing_currency, billed_cost
    from {{ ref('fct_ai_cost_daily') }}
    where cost_kind = 'invoiced'

),

cost_span as (

    select max(usage_date) as evaluated_date from invoiced

),

seat_span as (

    {#- Seat sources can be a day ahead of (or behind) the usage sources: a seat's policy
        violations are evaluated up to the seats' last day. -#}
    select max(activity_date) as evaluated_date from {{ ref('int_seat_assignments_daily') }}

),

scoped_costs as (

    select 'application' as cost_scope, application_id as subject_id, usage_date, billing_currency, billed_cost
    from invoiced where application_id is not null
    union all
    select 'team', team_id, usage_date, billing_currency, billed_cost
    from invoiced where team_id is not null
    union all
    select 'model', model_id, usage_date, billing_currency, billed_cost
    from invoiced where model_id is not null

),

daily_costs as (

    select cost_scope, subject_id, billing_currency, usage_date, sum(billed_cost) as daily_cost
    from scoped_costs
    group by cost_scope, subject_id, billing_currency, usage_date

),

cost_history as (

    select cost_scope, subject_id, billing_currency, min(usage_date) as first_cost_date
    from daily_costs
    group by cost_scope, subject_id, billing_currency

),

cost_baselines as (

    {#- Days without cost count as zero: the baseline total is divided by baseline_days, not by rows. -#}
    select
        today.cost_scope,
        today.subject_id,
        today.billing_currency,
        today.usage_date,
        today.daily_cost,
        thresholds.threshold_id,
        thresholds.severity,
        thresholds.spike_factor,
        thresholds.min_daily_cost,
        thresholds.baseline_days,
        coalesce(sum(earlier.daily_cost), 0) as baseline_total
    from daily_costs as today
    inner join thresholds on thresholds.cost_scope = today.cost_scope
    inner join cost_history
        on cost_history.cost_scope = today.cost_scope
        and cost_history.subject_id = today.subject_id
        and cost_history.billing_currency = today.billing_currency
    left join daily_costs as earlier
        on earlier.cost_scope = today.cost_scope
        and earlier.subject_id = today.subject_id
        and earlier.billing_currency = today.billing_currency
        and earlier.usage_date < today.usage_date
        and earlier.usage_date >= cast({{ dbt.dateadd('day', '-1 * thresholds.baseline_days', 'today.usage_date') }} as date)
    where cost_history.first_cost_date <= cast({{ dbt.dateadd('day', '-1 * thresholds.baseline_days', 'today.usage_date') }} as date)
    group by
        today.cost_scope, today.subject_id, today.billing_currency, today.usage_date, today.daily_cost,
        thresholds.threshold_id, thresholds.severity, thresholds.spike_factor, thresholds.min_daily_cost,
        thresholds.baseline_days

),

cost_spike_days as (

    select
        'cost_spike' as condition_type,
        'cost' as category,
        threshold_id as rule_ref,
        cost_scope as subject_type,
        subject_id,
        billing_currency,
        usage_date as condition_date,
        severity,
        case when cost_scope = 'application' then subject_id end as application_id,
        case when cost_scope = 'team' then subject_id end as team_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(baseline_days as {{ dbt.type_string() }}) || '-day' as condition_detail,
        cast(daily_cost as decimal(38, 10)) as observed_value,
        cast(cast(baseline_total as decimal(38, 10)) / baseline_days as decimal(38, 10)) as baseline_value,
        cast(usage_date as {{ dbt.type_string() }}) || ': ' || cast(cast(daily_cost as decimal(38, 2)) as {{ dbt.type_string() }})
            || ' vs baseline ' || cast(cast(baseline_total / baseline_days as decimal(38, 2)) as {{ dbt.type_string() }})
            as evidence_item
    from cost_baselines
    where daily_cost >= min_daily_cost
        and baseline_total > 0
        and daily_cost * baseline_days >= spike_factor * baseline_total

),

inactive_credentials as (

    select
        person_id,
        usage_date,
        {{ dbt.listagg('credential', "','", 'order by credential') }} as credentials
    from (
        select distinct person_id, usage_date, credential_provider || ':' || credential_id as credential
        from {{ ref('int_findings_usage_by_inactive_person') }}
    ) as distinct_credentials
    group by person_id, usage_date

),

inactive_person_days as (

    select
        'inactive_person_active' as condition_type,
        'access' as category,
        'inactive_person_active' as rule_ref,
        'person' as subject_type,
        findings.person_id as subject_id,
        cast(null as {{ dbt.type_string() }}) as billing_currency,
        findings.usage_date as condition_date,
        rules.severity,
        max(findings.application_id) as application_id,
        max(findings.team_id) as team_id,
        findings.person_id,
        max(findings.person_status) as condition_detail,
        cast(sum(findings.request_count) as decimal(38, 10)) as observed_value,
        cast(null as decimal(38, 10)) as baseline_value,
        cast(findings.usage_date as {{ dbt.type_string() }}) || ': ' || cast(sum(findings.request_count) as {{ dbt.type_string() }})
            || ' requests via ' || max(inactive_credentials.credentials) as evidence_item
    from {{ ref('int_findings_usage_by_inactive_person') }} as findings
    inner join rules on rules.condition_type = 'inactive_person_active'
    inner join inactive_credentials
        on inactive_credentials.person_id = findings.person_id
        and inactive_credentials.usage_date = findings.usage_date
    group by findings.person_id, findings.usage_date, rules.severity

),

first_use as (

    select person_id, application_id, min(usage_date) as first_date
    from usage
    where person_id is not null and application_id is not null
    group by person_id, application_id

),

new_person_days as (

    select
        'new_person_on_restricted_application' as condition_type,
        'access' as category,
        'new_person_on_restricted_application' as rule_ref,
        'person_application' as subject_type,
        first_use.person_id || ' on ' || first_use.application_id as subject_id,
        cast(null as {{ dbt.type_string() }}) as billing_currency,
        first_use.first_date as condition_date,
        rules.severity,
        first_use.application_id,
        applications.team_id,
        first_use.person_id,
        applications.sensitivity_tier as condition_detail,
        cast(null as decimal(38, 10)) as observed_value,
        cast(null as decimal(38, 10)) as baseline_value,
        cast(first_use.first_date as {{ dbt.type_string() }}) || ': first usage of ' || first_use.application_id
            || ' (' || applications.sensitivity_tier || ' sensitivity)' as evidence_item
    from first_use
    cross join usage_span
    inner join rules on rules.condition_type = 'new_person_on_restricted_application'
    inner join {{ ref('stg_governance__applications') }} as applications
        on applications.application_id = first_use.application_id
    inner join levels as tier on tier.level_name = applications.sensitivity_tier
    inner join levels as restricted on restricted.level_name = rules.min_sensitivity_tier
    where first_use.first_date > usage_span.first_date
        and tier.level_rank >= restricted.level_rank

),

violations as (

    select * from {{ ref('fct_policy_violations') }}

),

policy_violation_days as (

    {#- Usage by inactive people alerts once per person (above) when that condition is enabled. -#}
    select
        'policy_violation' as condition_type,
        'risk' as category,
        violations.policy_id as rule_ref,
        violations.subject_type,
        violations.subject_id,
        cast(null as {{ dbt.type_string() }}) as billing_currency,
        violations.usage_date as condition_date,
        violations.severity,
        violations.application_id,
        violations.team_id,
        violations.person_id,
        violations.rule as condition_detail,
        cast(violations.request_count as decimal(38, 10)) as observed_value,
        cast(null as decimal(38, 10)) as baseline_value,
        violations.violation_key as evidence_item
    from violations
    inner join rules on rules.condition_type = 'policy_violation'
    inner join levels as found on found.level_name = violations.severity
    inner join levels as floor_level on floor_level.level_name = rules.min_severity
    where found.level_rank >= floor_level.level_rank
        and (violations.status = 'open' or (violations.status = 'reraised' and rules.include_reraised))
        and not (
            violations.rule = 'usage_by_inactive_person'
            and exists (select 1 from rules as access_rules where access_rules.condition_type = 'inactive_person_active')
        )

),

exception_expired_days as (

    select
        'exception_expired' as condition_type,
        'risk' as category,
        max(violations.policy_id) as rule_ref,
        'exception' as subject_type,
        violations.exception_id as subject_id,
        cast(null as {{ dbt.type_string() }}) as billing_currency,
        violations.usage_date as condition_date,
        rules.severity,
        max(violations.application_id) as application_id,
        max(violations.team_id) as team_id,
        max(violations.person_id) as person_id,
        'expired ' || cast(max(violations.exception_expires_on) as {{ dbt.type_string() }}) as condition_detail,
        cast(sum(violations.request_count) as decimal(38, 10)) as observed_value,
        cast(null as decimal(38, 10)) as baseline_value,
        {{ dbt.listagg('violations.violation_key', "','", 'order by violations.violation_key') }} as evidence_item
    from violations
    inner join rules on rules.condition_type = 'exception_expired'
    where violations.status = 'reraised' and violations.exception_id is not null
    group by violations.exception_id, violations.usage_date, rules.severity

),

usage_drift as (

    select * from {{ ref('rpt_usage_drift') }}

),

usage_drift_span as (

    select max(iso_week_end) as evaluated_date from usage_drift

),

usage_drift_weeks as (

    {#-
        Weeks in which an application's usage drifted (rpt_usage_drift), numbered into runs of
        consecutive weeks (the week's number minus its rank), with the statistics that drifted.
    -#}
    select
        weeks.*,
        cast({{ dbt.datediff("cast('2000-01-03' as date)", 'weeks.iso_week_start', 'day') }} / 7 as bigint)
            - row_number() over (partition by weeks.application_id order by weeks.iso_week_start) as run_anchor
    from (
        select
            application_id,
            max(team_id) as team_id,
            iso_week_start,
            iso_week_end,
            {{ dbt.listagg(
                "measure || ' ' || statistic || ' ' || coalesce(cast(cast(statistic_value as decimal(38, 2)) as "
                    ~ dbt.type_string() ~ "), 'n/a')",
                "', '",
                "order by measure"
            ) }} as figures
        from usage_drift
        where is_significant
        group by application_id, iso_week_start, iso_week_end
    ) as weeks

),

usage_drift_runs as (

    {#- Every measure that drifted in a run of weeks. -#}
    select
        application_id,
        run_anchor,
        count(*) as measure_count,
        {{ dbt.listagg('measure', "', '", 'order by measure') }} as measures
    from (
        select distinct usage_drift_weeks.application_id, usage_drift_weeks.run_anchor, usage_drift.measure
        from usage_drift_weeks
        inner join usage_drift
            on usage_drift.application_id = usage_drift_weeks.application_id
            and usage_drift.iso_week_start = usage_drift_weeks.iso_week_start
        where usage_drift.is_significant
    ) as run_measures
    group by application_id, run_anchor

),

usage_drift_days as (

    {#-
        A drifting week holds from its Sunday, the day it is judged, until the next week is judged
        (at most the latest judged day), so drifting weeks in a row make one episode. The episode's
        detail is every measure that drifted in it; the first day of each week carries its evidence.
    -#}
    select
        'usage_drift' as condition_type,
        'risk' as category,
        'usage_drift' as rule_ref,
        'application' as subject_type,
        usage_drift_weeks.application_id as subject_id,
        cast(null as {{ dbt.type_string() }}) as billing_currency,
        cast({{ dbt.dateadd('day', 'offsets.day_offset', 'usage_drift_weeks.iso_week_end') }} as date) as condition_date,
        rules.severity,
        usage_drift_weeks.application_id,
        usage_drift_weeks.team_id,
        cast(null as {{ dbt.type_string() }}) as person_id,
        usage_drift_runs.measures as condition_detail,
        cast(usage_drift_runs.measure_count as decimal(38, 10)) as observed_value,
        cast(null as decimal(38, 10)) as baseline_value,
        case
            when offsets.day_offset = 0 then
                'week of ' || cast(usage_drift_weeks.iso_week_start as {{ dbt.type_string() }}) || ': '
                || usage_drift_weeks.figures
        end as evidence_item
    from usage_drift_weeks
    inner join usage_drift_runs
        on usage_drift_runs.application_id = usage_drift_weeks.application_id
        and usage_drift_runs.run_anchor = usage_drift_weeks.run_anchor
    inner join rules on rules.condition_type = 'usage_drift'
    cross join usage_drift_span
    cross join (
        select 0 as day_offset
        union all select 1
        union all select 2
        union all select 3
        union all select 4
        union all select 5
        union all select 6
    ) as offsets
    where cast({{ dbt.dateadd('day', 'offsets.day_offset', 'usage_drift_weeks.iso_week_end') }} as date)
        <= usage_drift_span.evaluated_date

),

condition_days as (

    select *, (select evaluated_date from cost_span) as evaluated_date from cost_spike_days
    union all
    select *, (select evaluated_date from usage_span) from inactive_person_days
    union all
    select *, (select evaluated_date from usage_span) from new_person_days
    union all
    select
        *,
        case
            when subject_type = 'seat' then (select evaluated_date from seat_span)
            else (select evaluated_date from usage_span)
        end
    from policy_violation_days
    union all
    select *, (select evaluated_date from usage_span) from exception_expired_days
    union all
    select *, (select evaluated_date from usage_drift_span) from usage_drift_days

),

islands as (

    {#- Gaps and islands: consecutive days share one anchor (the day minus its rank). -#}
    select
        condition_days.*,
        cast({{ dbt.dateadd('day', '-1 * day_number', 'condition_date') }} as date) as island_anchor
    from (
        select
            *,
            row_number() over (
                partition by condition_type, rule_ref, subject_type, subject_id, billing_currency
                order by condition_date
            ) as day_number
        from condition_days
    ) as condition_days

),

episodes as (

    select
        condition_type,
        category,
        rule_ref,
        subject_type,
        subject_id,
        billing_currency,
        min(condition_date) as first_seen_date,
        max(condition_date) as last_seen_date,
        count(*) as active_days,
        max(evaluated_date) as evaluated_date,
        {#- the highest level, by rank: as text 'medium' would outrank 'critical' -#}
        case max(case severity when 'critical' then 4 when 'high' then 3 when 'medium' then 2 else 1 end)
            when 4 then 'critical' when 3 then 'high' when 2 then 'medium' else 'low'
        end as severity,
        max(application_id) as application_id,
        max(team_id) as team_id,
        max(person_id) as person_id,
        max(condition_detail) as condition_detail,
        max(observed_value) as observed_value,
        min(baseline_value) as baseline_value,
        {{ dbt.listagg('evidence_item', "'; '", 'order by condition_date') }} as evidence
    from islands
    group by condition_type, category, rule_ref, subject_type, subject_id, billing_currency, island_anchor

),

stated as (

    select
        episodes.*,
        case
            when last_seen_date < evaluated_date then 'resolved'
            when first_seen_date = evaluated_date then 'new'
            else 'ongoing'
        end as state,
        ' (' || cast(active_days as {{ dbt.type_string() }}) || ' day(s) from ' || cast(first_seen_date as {{ dbt.type_string() }})
            || ' to ' || cast(last_seen_date as {{ dbt.type_string() }}) || ')' as span_text
    from episodes

)

select
    cast({{ surrogate_key(['condition_type', 'rule_ref', 'subject_type', 'subject_id', 'billing_currency', 'first_seen_date']) }} as {{ dbt.type_string() }}) as alert_key,
    cast(condition_type as {{ dbt.type_string() }}) as condition_type,
    cast(category as {{ dbt.type_string() }}) as category,
    cast(rule_ref as {{ dbt.type_string() }}) as rule_ref,
    cast(subject_type as {{ dbt.type_string() }}) as subject_type,
    cast(subject_id as {{ dbt.type_string() }}) as subject_id,
    cast(severity as {{ dbt.type_string() }}) as severity,
    cast(state as {{ dbt.type_string() }}) as state,
    cast(first_seen_date as date) as first_seen_date,
    cast(last_seen_date as date) as last_seen_date,
    cast(active_days as bigint) as active_days,
    cast(evaluated_date as date) as evaluated_date,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(team_id as {{ dbt.type_string() }}) as team_id,
    cast(person_id as {{ dbt.type_string() }}) as person_id,
    cast(observed_value as decimal(38, 10)) as observed_value,
    cast(baseline_value as decimal(38, 10)) as baseline_value,
    cast(billing_currency as {{ dbt.type_string() }}) as billing_currency,
    cast(
        case condition_type
            when 'cost_spike' then
                'Invoiced cost spike: ' || subject_type || ' ' || subject_id || ' peaked at '
                || cast(cast(observed_value as decimal(38, 2)) as {{ dbt.type_string() }}) || ' ' || billing_currency
                || ' a day against a ' || condition_detail || ' baseline of '
                || cast(cast(baseline_value as decimal(38, 2)) as {{ dbt.type_string() }}) || ' ' || billing_currency
            when 'inactive_person_active' then
                'AI usage by a ' || coalesce(condition_detail, 'inactive') || ' person: ' || subject_id
            when 'new_person_on_restricted_application' then
                'First usage of restricted (' || condition_detail || ') application by ' || subject_id
            when 'policy_violation' then
                'Policy violation (' || severity || ') of ' || rule_ref || ' (' || condition_detail || ') by '
                || subject_type || ' ' || subject_id
            when 'exception_expired' then
                'Exception ' || subject_id || ' to ' || rule_ref || ' ' || condition_detail
                || ' and the usage it covered goes on'
            when 'usage_drift' then
                'Usage drift of application ' || subject_id || ' (team ' || coalesce(team_id, 'none')
                || ') against its trailing weeks: ' || condition_detail
        end || span_text
    as {{ dbt.type_string() }}) as summary,
    cast(evidence as {{ dbt.type_string() }}) as evidence
from stated
