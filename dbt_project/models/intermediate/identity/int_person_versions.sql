{#-
    People as a slowly changing dimension (type 2): one row per person x version, valid on
    [valid_from, valid_to). A new version starts when any tracked attribute changes between two
    consecutive days the identity sources were pulled. Its valid_from is the source's own change
    date when one falls in (previous pull day, this pull day]: Okta statusChanged for a status
    change, else the last-modified time of the sources behind the status or the team; otherwise the
    pull day. History starts at the first pull: the first version is valid from the first day a
    source listed the person (what happened before is unknown, beyond left_at / suspended_at).
-#}

{%- set tracked = ['email', 'employee_id', 'display_name', 'team_id', 'team_name', 'department', 'cost_center_id', 'manager_person_id', 'manager_email', 'status'] -%}

with days as (

    select
        *,
        {{ surrogate_key(tracked) }} as attributes_hash

    from {{ ref('int_person_days_resolved') }}

),

compared as (

    select
        *,
        lag(attributes_hash) over (partition by person_id order by as_of_date) as previous_hash,
        lag(status) over (partition by person_id order by as_of_date) as previous_status,
        lag(as_of_date) over (partition by person_id order by as_of_date) as previous_as_of_date

    from days

),

changes as (

    select
        *,
        cast(status_changed_at as date) as status_changed_date,
        cast(status_updated_at as date) as status_updated_date,
        cast(attributes_updated_at as date) as attributes_updated_date

    from compared
    where previous_hash is null or previous_hash <> attributes_hash

),

effective as (

    select
        *,
        case
            when previous_as_of_date is null then as_of_date
            when status <> previous_status then coalesce(
                case
                    when status_changed_date > previous_as_of_date and status_changed_date <= as_of_date
                        then status_changed_date
                end,
                case
                    when status_updated_date > previous_as_of_date and status_updated_date <= as_of_date
                        then status_updated_date
                end,
                as_of_date
            )
            else coalesce(
                case
                    when attributes_updated_date > previous_as_of_date and attributes_updated_date <= as_of_date
                        then attributes_updated_date
                end,
                as_of_date
            )
        end as valid_from,
        case when previous_status is null or status <> previous_status then 1 else 0 end as starts_status

    from changes

),

runs as (

    select
        *,
        sum(starts_status) over (
            partition by person_id order by valid_from rows between unbounded preceding and current row
        ) as status_run

    from effective

),

versions as (

    select
        *,
        lead(valid_from) over (partition by person_id order by valid_from) as valid_to,
        min(valid_from) over (partition by person_id, status_run) as status_since,
        min(status_changed_at) over (partition by person_id, status_run) as run_status_changed_at

    from runs

)

select
    {{ surrogate_key(['person_id', 'valid_from']) }} as person_version_id,
    person_id,
    email,
    employee_id,
    display_name,
    team_id,
    team_name,
    department,
    cost_center_id,
    manager_person_id,
    manager_email,
    status,
    case
        when status = 'suspended'
            then coalesce(run_status_changed_at, cast(status_since as timestamp))
    end as suspended_at,
    case
        when status = 'departed'
            then coalesce(run_status_changed_at, cast(status_since as timestamp))
    end as left_at,
    valid_from,
    valid_to,
    valid_to is null as is_current,
    source_count

from versions
