{#-
    Team memberships from Okta's System Log: one row per person x team x stretch [joined_on,
    left_on) that group membership events bound. Teams are the Okta groups named by a team's id or
    name in governance/teams.yml; other groups and events that did not succeed are ignored. A remove
    with no add before it closes a stretch that began before the log (joined_on null); an add with
    no remove after it is still open (left_on null).
-#}

with events as (

    select * from {{ ref('stg_okta__group_membership_events') }}
    where outcome_result = 'SUCCESS'

),

okta_people as (

    select distinct source_id, source_user_id, person_id
    from {{ ref('int_identity_records_matched') }}
    where source_type = 'okta'

),

teams as (

    select * from {{ ref('stg_governance__teams') }}

),

team_events as (

    select
        okta_people.person_id,
        teams.team_id,
        events.membership_change,
        events.published_at

    from events
    inner join okta_people
        on okta_people.source_id = events.source_id
        and okta_people.source_user_id = events.user_id
    inner join teams
        on teams.team_id = events.group_name
        or lower(teams.team_name) = lower(events.group_name)

),

sequenced as (

    select
        *,
        lag(membership_change) over (
            partition by person_id, team_id order by published_at
        ) as previous_change,
        lead(membership_change) over (
            partition by person_id, team_id order by published_at
        ) as next_change,
        lead(published_at) over (
            partition by person_id, team_id order by published_at
        ) as next_published_at

    from team_events

),

stretches as (

    select
        person_id,
        team_id,
        published_at as joined_at,
        case when next_change = 'removed' then next_published_at end as left_at

    from sequenced
    where membership_change = 'added'

    union all

    select
        person_id,
        team_id,
        cast(null as timestamp) as joined_at,
        published_at as left_at

    from sequenced
    where membership_change = 'removed'
        and previous_change is null

)

select
    {{ surrogate_key(['person_id', 'team_id', 'joined_at', 'left_at']) }} as team_membership_id,
    person_id,
    team_id,
    joined_at,
    left_at,
    cast(joined_at as date) as joined_on,
    cast(left_at as date) as left_on

from stretches
