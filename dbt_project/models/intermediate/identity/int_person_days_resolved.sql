{#-
    One row per person x day: the identity sources' answers resolved into one.
    Attributes (email, employee id, name, team, department, cost centre, manager): the first source
    with a value in the precedence order scim (the HR feed, source of record), okta, entra_id,
    google_workspace. Status: the most restrictive any source reports (departed > suspended >
    active), so access revoked anywhere counts; only Okta and Google (archived) can say departed.
    status_changed_at: the earliest change time (Okta statusChanged) among the sources that report
    the resolved status; status_updated_at and attributes_updated_at: the last-modified time of the
    sources behind the status and the team (Okta lastUpdated, SCIM meta.lastModified).
    Team on a day: the sources' team, unless Okta's System Log says the person joined that team
    only after the day (int_team_memberships); then the team whose membership stretch covers the
    day. So moves are dated even when every snapshot was pulled after them (a backfill), and a move
    the log has not seen yet keeps the sources' answer. Department and cost centre follow the team
    (governance/teams.yml) whenever the log decides it.
    Days before a person's first snapshot, back to run_var('history_start') when set (a backfill pulls
    the directories once, at its end): the first snapshot's answer carried back, except that the
    status is active before the day the source says it changed (Okta statusChanged) and the team
    follows the System Log as above. Without the log, a carried-back team is an assumption.
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

memberships as (

    select * from {{ ref('int_team_memberships') }}

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

),

snapshot_days as (

    select
        pivoted.*,
        teams.team_id

    from pivoted
    left join teams on lower(teams.team_name) = lower(pivoted.team_name)

),

first_snapshots as (

    select *
    from snapshot_days
    where not exists (
        select 1 from snapshot_days as earlier
        where earlier.person_id = snapshot_days.person_id
            and earlier.as_of_date < snapshot_days.as_of_date
    )

),

{%- set history_start = run_var('history_start') %}
{%- if history_start %}

history_days as (

    {{ day_spine("cast('" ~ history_start ~ "' as date)", "(select max(as_of_date) from snapshot_days)") }}

),

carried_back as (

    select
        first_snapshots.person_id,
        history_days.spine_day as as_of_date,
        first_snapshots.source_count,
        case
            when first_snapshots.status <> 'active'
                and cast(first_snapshots.status_changed_at as date) > history_days.spine_day
                then 'active'
            else first_snapshots.status
        end as status,
        case
            when first_snapshots.status <> 'active'
                and cast(first_snapshots.status_changed_at as date) > history_days.spine_day
                then cast(null as timestamp)
            else first_snapshots.status_changed_at
        end as status_changed_at,
        first_snapshots.status_updated_at,
        {%- for attribute in attributes %}
        first_snapshots.{{ attribute }},
        {%- endfor %}
        first_snapshots.attributes_updated_at,
        first_snapshots.team_id

    from first_snapshots
    inner join history_days on history_days.spine_day < first_snapshots.as_of_date

),

{%- endif %}

snapshot_teams as (

    select
        person_id, as_of_date, source_count, status, status_changed_at, status_updated_at,
        {%- for attribute in attributes %}
        {{ attribute }},
        {%- endfor %}
        attributes_updated_at, team_id
    from snapshot_days
    {%- if history_start %}

    union all

    select * from carried_back
    {%- endif %}

),

covering as (

    -- the log's team on the day: the stretch covering it that began last
    select
        s.person_id,
        s.as_of_date,
        m.team_id,
        m.joined_at,
        row_number() over (
            partition by s.person_id, s.as_of_date
            order by m.joined_at desc nulls last
        ) as stretch_rank

    from snapshot_teams as s
    inner join memberships as m
        on m.person_id = s.person_id
        and (m.joined_on is null or m.joined_on <= s.as_of_date)
        and (m.left_on is null or s.as_of_date < m.left_on)

),

joined_later as (

    -- the sources' team is one the log has the person join only after the day
    select distinct s.person_id, s.as_of_date

    from snapshot_teams as s
    inner join memberships as m
        on m.person_id = s.person_id
        and m.team_id = s.team_id
        and m.joined_on > s.as_of_date
    where not exists (
        select 1 from memberships as c
        where c.person_id = s.person_id
            and c.team_id = s.team_id
            and (c.joined_on is null or c.joined_on <= s.as_of_date)
            and (c.left_on is null or s.as_of_date < c.left_on)
    )

),

dated as (

    select
        s.*,
        case when later.person_id is not null then covering.team_id end as logged_team_id,
        case when covering.team_id = s.team_id then covering.joined_at end as logged_joined_at

    from snapshot_teams as s
    left join covering
        on covering.person_id = s.person_id
        and covering.as_of_date = s.as_of_date
        and covering.stretch_rank = 1
    left join joined_later as later
        on later.person_id = s.person_id
        and later.as_of_date = s.as_of_date

)

select
    dated.person_id,
    dated.as_of_date,
    dated.person_email as email,
    dated.employee_id,
    dated.display_name,
    coalesce(logged.team_id, dated.team_id) as team_id,
    coalesce(logged.team_name, dated.team_name) as team_name,
    coalesce(logged.department, dated.department) as department,
    coalesce(logged.cost_center_id, dated.cost_center_id) as cost_center_id,
    managers.person_id as manager_person_id,
    coalesce(aliases.person_email, dated.manager_email) as manager_email,
    dated.status,
    dated.status_changed_at,
    dated.status_updated_at,
    coalesce(dated.logged_joined_at, dated.attributes_updated_at) as attributes_updated_at,
    dated.source_count

from dated
left join teams as logged on logged.team_id = dated.logged_team_id
left join aliases on aliases.alias_email = dated.manager_email
left join email_people as managers
    on managers.address = coalesce(aliases.person_email, dated.manager_email)
