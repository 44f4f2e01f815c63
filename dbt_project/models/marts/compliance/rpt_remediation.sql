{{ config(materialized='table') }}

{#-
    One row per open finding: one subject of one policy whose latest finding day is open or
    re-raised (reports/questions/compliance_open_findings.sql at the evaluated date), with who owns
    it, where its remediation stands, how old it is and when it is due.

    Owner: the application's owning team (applications.yml); for a credential no application
    declares, the team of its holder's manager, else of the holder, as the identity sources knew
    them on the finding's last day (int_person_versions; else their latest version).
    Status: the register's or the imported ticket's (int_remediation_status), open without one. A
    finding remediated that has evidence after the day it was remediated is open again (re-raised).
    Opened: the first day of the finding's current run of days not covered by an exception, or the
    day it reappeared after being remediated. Due: opened + the severity's days
    (remediation_sla.yml). Overdue: open or acknowledged after its due date. Every age is counted to
    the evaluated date, the latest day the findings' inputs cover (never the clock).
-#}

with violations as (

    select policy_id, rule, severity, subject_type, subject_id, application_id, person_id, usage_date, status
    from {{ ref('fct_policy_violations') }}

),

evaluated as (

    select max(latest_day) as evaluated_date
    from (
        select max(usage_date) as latest_day from {{ ref('int_usage_governed') }}
        union all
        select max(usage_date) as latest_day from violations
    ) as latest_days

),

latest as (

    select
        *,
        row_number() over (partition by policy_id, subject_id order by usage_date desc) as recency
    from violations

),

spans as (

    select
        policy_id,
        subject_id,
        min(usage_date) as first_seen_date,
        max(usage_date) as last_seen_date,
        max(case when status = 'excepted' then usage_date end) as last_excepted_date
    from violations
    group by policy_id, subject_id

),

findings as (

    select
        latest.policy_id || ':' || latest.subject_id as finding_key,
        latest.policy_id,
        latest.rule,
        latest.severity,
        latest.subject_type,
        latest.subject_id,
        latest.application_id,
        spans.first_seen_date,
        spans.last_seen_date,
        spans.last_excepted_date
    from latest
    inner join spans
        on spans.policy_id = latest.policy_id
        and spans.subject_id = latest.subject_id
    where latest.recency = 1 and latest.status in ('open', 'reraised')

),

with_status as (

    select
        findings.*,
        register.remediation_status,
        register.ticket_id,
        register.status_note,
        register.status_changed_at,
        register.status_changed_by,
        register.status_source,
        case
            when register.remediation_status = 'remediated'
                then cast(register.status_changed_at as date)
        end as remediated_on
    from findings
    left join {{ ref('int_remediation_status') }} as register
        on register.finding_key = findings.finding_key

),

open_days as (

    select
        with_status.finding_key,
        min(violations.usage_date) as open_since,
        min(
            case when violations.usage_date > with_status.remediated_on then violations.usage_date end
        ) as reappeared_on
    from with_status
    inner join violations
        on violations.policy_id = with_status.policy_id
        and violations.subject_id = with_status.subject_id
    where violations.status <> 'excepted'
        and (with_status.last_excepted_date is null or violations.usage_date > with_status.last_excepted_date)
    group by with_status.finding_key

),

holders as (

    select
        policy_id || ':' || subject_id as finding_key,
        person_id as holder_email,
        row_number() over (partition by policy_id, subject_id order by usage_date desc) as recency
    from violations
    where person_id is not null and application_id is null

),

people as (

    select person_id, email, team_id, manager_person_id, valid_from, valid_to
    from {{ ref('int_person_versions') }}

),

holder_versions as (

    select
        findings.finding_key,
        holders.holder_email,
        people.team_id,
        people.manager_person_id,
        row_number() over (
            partition by findings.finding_key
            order by
                case
                    when people.valid_from <= findings.last_seen_date
                        and (people.valid_to is null or findings.last_seen_date < people.valid_to) then 0
                    else 1
                end,
                people.valid_from desc
        ) as preference
    from findings
    inner join holders
        on holders.finding_key = findings.finding_key
        and holders.recency = 1
    left join people on people.email = holders.holder_email

),

manager_versions as (

    select
        findings.finding_key,
        people.team_id,
        row_number() over (
            partition by findings.finding_key
            order by
                case
                    when people.valid_from <= findings.last_seen_date
                        and (people.valid_to is null or findings.last_seen_date < people.valid_to) then 0
                    else 1
                end,
                people.valid_from desc
        ) as preference
    from findings
    inner join holder_versions
        on holder_versions.finding_key = findings.finding_key
        and holder_versions.preference = 1
    inner join people on people.person_id = holder_versions.manager_person_id

),

owned as (

    select
        with_status.*,
        holder.holder_email as credential_holder,
        coalesce(applications.team_id, manager.team_id, holder.team_id) as owner_team_id,
        case
            when with_status.application_id is not null then 'application'
            when manager.team_id is not null then 'credential_holder_manager'
            when holder.team_id is not null then 'credential_holder'
            else 'unowned'
        end as owner_basis,
        open_days.open_since,
        open_days.reappeared_on,
        evaluated.evaluated_date
    from with_status
    cross join evaluated
    inner join open_days on open_days.finding_key = with_status.finding_key
    left join {{ ref('stg_governance__applications') }} as applications
        on applications.application_id = with_status.application_id
    left join holder_versions as holder
        on holder.finding_key = with_status.finding_key
        and holder.preference = 1
    left join manager_versions as manager
        on manager.finding_key = with_status.finding_key
        and manager.preference = 1

),

stated as (

    select
        owned.*,
        case
            when reappeared_on is not null then 'open'
            else coalesce(remediation_status, 'open')
        end as status,
        reappeared_on is not null as is_reraised,
        coalesce(reappeared_on, open_since) as opened_date
    from owned

),

dated as (

    select
        stated.*,
        teams.team_name as owner_team_name,
        sla.sla_days,
        cast({{ dbt.dateadd('day', 'sla.sla_days', 'stated.opened_date') }} as date) as due_date,
        case
            when stated.status in ('remediated', 'risk_accepted')
                and cast(stated.status_changed_at as date) < stated.evaluated_date
                then cast(stated.status_changed_at as date)
            else stated.evaluated_date
        end as aged_until
    from stated
    left join {{ ref('stg_governance__teams') }} as teams on teams.team_id = stated.owner_team_id
    left join {{ ref('stg_governance__remediation_sla') }} as sla on sla.severity = stated.severity

)

select
    cast(finding_key as {{ dbt.type_string() }}) as finding_key,
    cast(policy_id as {{ dbt.type_string() }}) as policy_id,
    cast(rule as {{ dbt.type_string() }}) as rule,
    cast(severity as {{ dbt.type_string() }}) as severity,
    cast(subject_type as {{ dbt.type_string() }}) as subject_type,
    cast(subject_id as {{ dbt.type_string() }}) as subject_id,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(credential_holder as {{ dbt.type_string() }}) as credential_holder,
    cast(owner_team_id as {{ dbt.type_string() }}) as owner_team_id,
    cast(owner_team_name as {{ dbt.type_string() }}) as owner_team_name,
    cast(owner_basis as {{ dbt.type_string() }}) as owner_basis,
    cast(status as {{ dbt.type_string() }}) as status,
    cast(is_reraised as boolean) as is_reraised,
    cast(ticket_id as {{ dbt.type_string() }}) as ticket_id,
    cast(status_source as {{ dbt.type_string() }}) as status_source,
    cast(status_changed_at as timestamp) as status_changed_at,
    cast(status_changed_by as {{ dbt.type_string() }}) as status_changed_by,
    cast(status_note as {{ dbt.type_string() }}) as status_note,
    cast(first_seen_date as date) as first_seen_date,
    cast(last_seen_date as date) as last_seen_date,
    cast(opened_date as date) as opened_date,
    cast(evaluated_date as date) as evaluated_date,
    cast(case
        when aged_until > opened_date then {{ dbt.datediff('opened_date', 'aged_until', 'day') }}
        else 0
    end as bigint) as age_days,
    cast(sla_days as integer) as sla_days,
    cast(due_date as date) as due_date,
    cast(status in ('open', 'acknowledged') and evaluated_date > due_date as boolean) as is_overdue,
    cast(case
        when status in ('open', 'acknowledged') and evaluated_date > due_date
            then {{ dbt.datediff('due_date', 'evaluated_date', 'day') }}
        else 0
    end as bigint) as days_overdue
from dated
