{#-
    One row per person x day: the identity sources' answers resolved into one.
    Attributes (email, employee id, name, team, department, cost centre, manager): the first source
    with a value in the precedence order scim (the HR feed, source of record), okta, entra_id,
    google_workspace. Status: the most restrictive any source reports (departed > suspended >
    active), so access revoked anywhere counts; only Okta and Google (archived) can say departed.
    status_changed_at: the earliest change time (Okta statusChanged) among the sources that report
    the resolved status; status_updated_at and attributes_updated_at: the last-modified time of the
    sources behind the status and the team (Okta lastUpdated, SCIM meta.lastModified).
-#}

{%- set attributes = ['person_email', 'employee_id', 'display_name', 'team_name', 'department', 'cost_center_id', 'manager_email'] -%}
{%- set sources = ['scim', 'okta', 'entra_id', 'google_workspace'] -%}

with source_days as (

    select * from {{ ref('int_identity_person_days') }}

),

person_day_status as (

    select
        person_id,
        as_of_date,
        count(*) as source_count,
        case max(case status when 'departed' then 3 when 'suspended' then 2 else 1 end)
            when 3 then 'departed'
            when 2 then 'suspended'
            else 'active'
        end as status

    from source_days
    group by person_id, as_of_date

),

status_times as (

    select
        s.person_id,
        s.as_of_date,
        min(d.status_changed_at) as status_changed_at,
        max(d.record_updated_at) as status_updated_at

    from person_day_status as s
    inner join source_days as d
        on d.person_id = s.person_id
        and d.as_of_date = s.as_of_date
        and d.status = s.status
    group by s.person_id, s.as_of_date

),

email_people as (

    -- every address a person is known by, to resolve managers to people
    select address, min(person_id) as person_id
    from (
        select email as address, person_id from {{ ref('int_identity_records_matched') }}
        union all
        select person_email as address, person_id from {{ ref('int_identity_records_matched') }}
    ) as addresses
    where address is not null
    group by address

),

aliases as (

    select * from {{ ref('stg_governance__person_aliases') }}

),

teams as (

    select * from {{ ref('stg_governance__teams') }}

),

pivoted as (

    select
        s.person_id,
        s.as_of_date,
        s.source_count,
        s.status,
        t.status_changed_at,
        t.status_updated_at,
        {%- for attribute in attributes %}
        coalesce({% for source in sources %}{{ source }}.{{ attribute }}{% if not loop.last %}, {% endif %}{% endfor %}) as {{ attribute }},
        {%- endfor %}
        case
            {%- for source in sources %}
            when {{ source }}.team_name is not null then {{ source }}.record_updated_at
            {%- endfor %}
        end as attributes_updated_at

    from person_day_status as s
    inner join status_times as t
        on t.person_id = s.person_id
        and t.as_of_date = s.as_of_date
    {%- for source in sources %}
    left join source_days as {{ source }}
        on {{ source }}.person_id = s.person_id
        and {{ source }}.as_of_date = s.as_of_date
        and {{ source }}.source_type = '{{ source }}'
    {%- endfor %}

)

select
    pivoted.person_id,
    pivoted.as_of_date,
    pivoted.person_email as email,
    pivoted.employee_id,
    pivoted.display_name,
    teams.team_id,
    pivoted.team_name,
    pivoted.department,
    pivoted.cost_center_id,
    managers.person_id as manager_person_id,
    coalesce(aliases.person_email, pivoted.manager_email) as manager_email,
    pivoted.status,
    pivoted.status_changed_at,
    pivoted.status_updated_at,
    pivoted.attributes_updated_at,
    pivoted.source_count

from pivoted
left join teams on lower(teams.team_name) = lower(pivoted.team_name)
left join aliases on aliases.alias_email = pivoted.manager_email
left join email_people as managers
    on managers.address = coalesce(aliases.person_email, pivoted.manager_email)
