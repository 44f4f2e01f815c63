{#-
    One row per SaaS AI tool seat per day held: who holds it, on which plan, when it was last
    used, whether it was used that day and, where the tool reports it, what it cost beyond the seat.
    Activity "that day" is null when the tool's activity data for the day has not landed.
    A seat snapshot holds from its day until the source's next snapshot (is_carried_forward on the
    days after it), the last one until the latest day any seat source was pulled: a day whose seat
    pull failed keeps the last known seats, and which days happened to be pulled changes nothing.
    Days before a source's first seat snapshot, back to run_var('history_start') when set (a backfill
    snapshots seats once, on its last day), are carried back (is_carried_back): see the model's YAML
    for each tool's rule. They start no earlier than the first day SaaS tool activity landed, so a
    backfill that starts after history_start charges no seats for days it has no data for.
-#}

{#- the carry-back reads these only when history_start is set; declared always, so the lineage has them -#}
-- depends_on: {{ ref('stg_github_copilot__organization_metrics') }}, {{ ref('stg_entra_id__copilot_plan_assignments') }}
{%- set history_start = run_var('history_start') %}

with

seat_snapshot_dates as (

    select distinct 'github_copilot' as tool, source_id, snapshot_date
    from {{ ref('stg_github_copilot__seats') }}
    union all
    select distinct 'cursor' as tool, source_id, snapshot_date
    from {{ ref('stg_cursor__members') }}
    union all
    select distinct 'chatgpt_enterprise' as tool, source_id, snapshot_date
    from {{ ref('stg_chatgpt_enterprise__users') }}
    union all
    select distinct 'm365_copilot' as tool, source_id, snapshot_date
    from {{ ref('stg_m365_copilot__usage_user_details') }}

),

seats_pulled_through as (

    select
        min(snapshot_date) as first_day,
        {{ dbt.dateadd('day', 1, 'max(snapshot_date)') }} as end_day
    from seat_snapshot_dates

),

seat_snapshot_spans as (

    select
        dates.tool,
        dates.source_id,
        dates.snapshot_date,
        coalesce(
            lead(dates.snapshot_date) over (
                partition by dates.tool, dates.source_id order by dates.snapshot_date
            ),
            pulled.end_day
        ) as held_until
    from seat_snapshot_dates as dates
    cross join seats_pulled_through as pulled

),

seat_held_days as (

    -- every day a snapshot stands for: its own day, then the days up to the next snapshot
    select
        spans.tool,
        spans.source_id,
        spans.snapshot_date,
        spine.spine_day as activity_date,
        spine.spine_day > spans.snapshot_date as is_carried_forward
    from seat_snapshot_spans as spans
    inner join (
        {{ day_spine("(select first_day from seats_pulled_through)", "(select end_day from seats_pulled_through)") }}
    ) as spine
        on spine.spine_day >= spans.snapshot_date
        and spine.spine_day < spans.held_until

),
{%- if history_start %}

landed_activity_days as (

    select activity_date from {{ ref('stg_github_copilot__organization_metrics') }}
    union all
    select activity_date from {{ ref('stg_cursor__daily_usage') }}

),

carry_back_from as (

    -- history_start, or the first day SaaS tool activity landed when that is later
    select
        case
            when min(activity_date) > cast('{{ history_start }}' as date) then min(activity_date)
            else cast('{{ history_start }}' as date)
        end as first_day
    from landed_activity_days

),

first_seat_snapshots as (

    select tool, source_id, min(snapshot_date) as first_snapshot_date
    from seat_snapshot_dates
    group by tool, source_id

),

history_days as (

    select spine.spine_day
    from (
        {{ day_spine("cast('" ~ history_start ~ "' as date)", "(select max(first_snapshot_date) from first_seat_snapshots)") }}
    ) as spine
    inner join carry_back_from on spine.spine_day >= carry_back_from.first_day

),
{%- endif %}

github_snapshots as (

    select
        'github_copilot' as tool,
        source_id,
        snapshot_date,
        coalesce(assignee_email, lower(assignee_login)) as seat_holder_key,
        assignee_email as seat_holder_email,
        assignee_login as tool_user_name,
        false as is_concealed,
        plan_type as plan,
        case when pending_cancellation_date is not null then 'pending_cancellation' else 'active' end
            as seat_status,
        cast(last_activity_at as date) as reported_last_activity_date,
        cast(seat_created_at as date) as assigned_on,
        pending_cancellation_date
    from {{ ref('stg_github_copilot__seats') }}
    where assignee_type = 'User'

),

github_seats as (

    select
        snapshots.tool,
        snapshots.source_id,
        held.activity_date,
        snapshots.seat_holder_key,
        snapshots.seat_holder_email,
        snapshots.tool_user_name,
        snapshots.is_concealed,
        snapshots.plan,
        snapshots.seat_status,
        snapshots.reported_last_activity_date,
        false as is_carried_back,
        held.is_carried_forward
    from github_snapshots as snapshots
    inner join seat_held_days as held
        on held.tool = snapshots.tool
        and held.source_id = snapshots.source_id
        and held.snapshot_date = snapshots.snapshot_date
    -- a seat pending cancellation is not carried past its cancellation day
    where not held.is_carried_forward
        or snapshots.pending_cancellation_date is null
        or held.activity_date < snapshots.pending_cancellation_date
    {%- if history_start %}

    union all

    -- held from the seat's creation (and before its pending cancellation) to the day before the
    -- organization's first snapshot, as that snapshot lists it
    select
        first_seats.tool,
        first_seats.source_id,
        history_days.spine_day as activity_date,
        first_seats.seat_holder_key,
        first_seats.seat_holder_email,
        first_seats.tool_user_name,
        first_seats.is_concealed,
        first_seats.plan,
        'active' as seat_status,
        first_seats.reported_last_activity_date,
        true as is_carried_back,
        false as is_carried_forward
    from github_snapshots as first_seats
    inner join first_seat_snapshots as firsts
        on firsts.tool = first_seats.tool
        and firsts.source_id = first_seats.source_id
        and firsts.first_snapshot_date = first_seats.snapshot_date
    inner join history_days
        on history_days.spine_day >= first_seats.assigned_on
        and history_days.spine_day < first_seats.snapshot_date
        and (
            first_seats.pending_cancellation_date is null
            or history_days.spine_day < first_seats.pending_cancellation_date
        )
    {%- endif %}

),

github_activity as (

    select source_id, user_login as tool_user_name, activity_date
    from {{ ref('stg_github_copilot__user_metrics') }}

),

github_days as (

    select source_id, activity_date from github_activity group by source_id, activity_date

),

github as (

    select
        seats.tool,
        seats.source_id,
        seats.activity_date,
        seats.seat_holder_key,
        seats.seat_holder_email,
        seats.tool_user_name,
        seats.is_concealed,
        seats.plan,
        seats.seat_status,
        seats.is_carried_back,
        seats.is_carried_forward,
        max(seats.reported_last_activity_date) as reported_last_activity_date,
        max(used.activity_date) as observed_last_activity_date,
        max(case when used.activity_date = seats.activity_date then 1 else 0 end) as used_that_day,
        max(case when reported.activity_date is not null then 1 else 0 end) as day_reported,
        cast(null as {{ dbt.type_numeric() }}) as spend_cents
    from github_seats as seats
    left join github_activity as used
        on used.source_id = seats.source_id
        and used.tool_user_name = seats.tool_user_name
        and used.activity_date <= seats.activity_date
    left join github_days as reported
        on reported.source_id = seats.source_id
        and reported.activity_date = seats.activity_date
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11

),

cursor_usage_days as (

    select source_id, email, activity_date
    from {{ ref('stg_cursor__daily_usage') }}
    where is_active

),

cursor_reported as (

    select source_id, activity_date
    from {{ ref('stg_cursor__daily_usage') }}
    group by source_id, activity_date

),

cursor_spend as (

    select
        source_id,
        email,
        usage_date,
        sum(coalesce(token_cost_cents, 0) + coalesce(cursor_token_fee_cents, 0)) as spend_cents
    from {{ ref('stg_cursor__usage_events') }}
    where charge_kind = 'Usage-based'
    group by source_id, email, usage_date

),

cursor_members as (

    select
        members.source_id,
        held.activity_date,
        members.email,
        false as is_carried_back,
        held.is_carried_forward
    from {{ ref('stg_cursor__members') }} as members
    inner join seat_held_days as held
        on held.tool = 'cursor'
        and held.source_id = members.source_id
        and held.snapshot_date = members.snapshot_date
    {%- if history_start %}

    union all

    -- the daily usage data lists every member each day (isActive false when idle): before the
    -- team's first member snapshot, a member on a day is whoever it lists that day
    select distinct usage.source_id, usage.activity_date, usage.email, true, false
    from {{ ref('stg_cursor__daily_usage') }} as usage
    inner join first_seat_snapshots as firsts
        on firsts.tool = 'cursor'
        and firsts.source_id = usage.source_id
        and usage.activity_date < firsts.first_snapshot_date
    inner join history_days on history_days.spine_day = usage.activity_date
    {%- endif %}

),

cursor as (

    select
        'cursor' as tool,
        members.source_id,
        members.activity_date,
        members.email as seat_holder_key,
        members.email as seat_holder_email,
        members.email as tool_user_name,
        false as is_concealed,
        'teams' as plan,
        'active' as seat_status,
        members.is_carried_back,
        members.is_carried_forward,
        cast(null as date) as reported_last_activity_date,
        max(used.activity_date) as observed_last_activity_date,
        max(case when used.activity_date = members.activity_date then 1 else 0 end) as used_that_day,
        max(case when reported.activity_date is not null then 1 else 0 end) as day_reported,
        max(spend.spend_cents) as spend_cents
    from cursor_members as members
    left join cursor_usage_days as used
        on used.source_id = members.source_id
        and used.email = members.email
        and used.activity_date <= members.activity_date
    left join cursor_reported as reported
        on reported.source_id = members.source_id
        and reported.activity_date = members.activity_date
    left join cursor_spend as spend
        on spend.source_id = members.source_id
        and spend.email = members.email
        and spend.usage_date = members.activity_date
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12

),

m365_rows as (

    select
        source_id,
        snapshot_date,
        report_refresh_date,
        coalesce(email, user_principal_name) as seat_holder_key,
        email,
        user_principal_name,
        is_concealed,
        last_activity_date
    from {{ ref('stg_m365_copilot__usage_user_details') }}

),

m365_refreshed as (

    select source_id, max(report_refresh_date) as refreshed_through
    from m365_rows
    group by source_id

),
{%- if history_start %}

m365_licence_assignments as (

    select distinct email, assigned_on
    from {{ ref('stg_entra_id__copilot_plan_assignments') }}

),

m365_first_seats as (

    -- each seat of a tenant's first report with its Copilot licence's assignment day: the latest
    -- one on or before that report, so a licence reassigned later does not move closed months
    select
        first_rows.source_id,
        first_rows.snapshot_date,
        first_rows.seat_holder_key,
        first_rows.email,
        first_rows.user_principal_name,
        first_rows.is_concealed,
        first_rows.last_activity_date,
        max(assignments.assigned_on) as assigned_on
    from m365_rows as first_rows
    inner join first_seat_snapshots as firsts
        on firsts.tool = 'm365_copilot'
        and firsts.source_id = first_rows.source_id
        and firsts.first_snapshot_date = first_rows.snapshot_date
    inner join m365_licence_assignments as assignments
        on assignments.email = first_rows.email
        and assignments.assigned_on <= first_rows.snapshot_date
    group by 1, 2, 3, 4, 5, 6, 7

),
{%- endif %}

m365_seats as (

    select
        m365_rows.source_id,
        held.activity_date,
        m365_rows.seat_holder_key,
        m365_rows.email,
        m365_rows.user_principal_name,
        m365_rows.is_concealed,
        m365_rows.last_activity_date as reported_last_activity_date,
        false as is_carried_back,
        held.is_carried_forward
    from m365_rows
    inner join seat_held_days as held
        on held.tool = 'm365_copilot'
        and held.source_id = m365_rows.source_id
        and held.snapshot_date = m365_rows.snapshot_date
    {%- if history_start %}

    union all

    -- held from the Copilot licence's assignment (Entra ID assignedPlans) to the day before the
    -- tenant's first report, as that report lists it; a tenant that conceals names cannot be
    -- matched to Entra ID (email is null) and is not carried back
    select
        first_seats.source_id,
        history_days.spine_day as activity_date,
        first_seats.seat_holder_key,
        first_seats.email,
        first_seats.user_principal_name,
        first_seats.is_concealed,
        first_seats.last_activity_date as reported_last_activity_date,
        true as is_carried_back,
        false as is_carried_forward
    from m365_first_seats as first_seats
    inner join history_days
        on history_days.spine_day >= first_seats.assigned_on
        and history_days.spine_day < first_seats.snapshot_date
    {%- endif %}

),

m365 as (

    select
        'm365_copilot' as tool,
        seats.source_id,
        seats.activity_date,
        seats.seat_holder_key,
        seats.email as seat_holder_email,
        seats.user_principal_name as tool_user_name,
        seats.is_concealed,
        'microsoft_365_copilot' as plan,
        'active' as seat_status,
        seats.is_carried_back,
        seats.is_carried_forward,
        max(seats.reported_last_activity_date) as reported_last_activity_date,
        max(history.last_activity_date) as observed_last_activity_date,
        max(case when history.last_activity_date = seats.activity_date then 1 else 0 end)
            as used_that_day,
        -- a carried-back day is known only from a report refreshed on or after it whose last
        -- activity is on or before it
        max(
            case
                when seats.is_carried_back
                    then case
                        when history.last_activity_date is not null
                            and history.report_refresh_date >= seats.activity_date then 1
                        else 0
                    end
                when refreshed.refreshed_through >= seats.activity_date then 1
                else 0
            end
        ) as day_reported,
        cast(null as {{ dbt.type_numeric() }}) as spend_cents
    from m365_seats as seats
    inner join m365_refreshed as refreshed
        on refreshed.source_id = seats.source_id
    left join m365_rows as history
        on history.source_id = seats.source_id
        and history.seat_holder_key = seats.seat_holder_key
        and history.last_activity_date <= seats.activity_date
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11

),

chatgpt_users as (

    select
        users.source_id,
        held.activity_date,
        users.email,
        users.user_id,
        users.user_status,
        false as is_carried_back,
        held.is_carried_forward
    from {{ ref('stg_chatgpt_enterprise__users') }} as users
    inner join seat_held_days as held
        on held.tool = 'chatgpt_enterprise'
        and held.source_id = users.source_id
        and held.snapshot_date = users.snapshot_date
    {%- if history_start %}

    union all

    -- held from the user's creation to the day before the workspace's first snapshot
    select
        first_users.source_id,
        history_days.spine_day,
        first_users.email,
        first_users.user_id,
        first_users.user_status,
        true,
        false
    from {{ ref('stg_chatgpt_enterprise__users') }} as first_users
    inner join first_seat_snapshots as firsts
        on firsts.tool = 'chatgpt_enterprise'
        and firsts.source_id = first_users.source_id
        and firsts.first_snapshot_date = first_users.snapshot_date
    inner join history_days
        on history_days.spine_day >= cast(first_users.created_at as date)
        and history_days.spine_day < first_users.snapshot_date
    {%- endif %}

),

chatgpt as (

    select
        'chatgpt_enterprise' as tool,
        source_id,
        activity_date,
        coalesce(email, user_id) as seat_holder_key,
        email as seat_holder_email,
        user_id as tool_user_name,
        false as is_concealed,
        'enterprise' as plan,
        coalesce(user_status, 'active') as seat_status,
        is_carried_back,
        is_carried_forward,
        cast(null as date) as reported_last_activity_date,
        cast(null as date) as observed_last_activity_date,
        0 as used_that_day,
        0 as day_reported,
        cast(null as {{ dbt.type_numeric() }}) as spend_cents
    from chatgpt_users

),

seats as (

    select * from github
    union all
    select * from cursor
    union all
    select * from m365
    union all
    select * from chatgpt

),

final as (

    select
        tool,
        source_id,
        activity_date,
        seat_holder_key,
        seat_holder_email,
        tool_user_name,
        is_concealed,
        plan,
        seat_status,
        is_carried_back,
        is_carried_forward,
        last_activity_date,
        case
            when last_activity_date is not null
                then {{ dbt.datediff('last_activity_date', 'activity_date', 'day') }}
        end as days_since_last_activity,
        case when day_reported = 1 then used_that_day = 1 end as is_active_on_day,
        {{ saas_cents_to_dollars('spend_cents') }} as spend_usd,
        case when spend_cents is not null then 'USD' end as spend_currency
    from (
        select
            seats.*,
            -- the later of what the seat list says and the activity seen up to that day,
            -- never a day after the row's own day (a snapshot pulled later knows more)
            case
                when reported_last_activity_date <= activity_date
                    and (
                        observed_last_activity_date is null
                        or reported_last_activity_date > observed_last_activity_date
                    )
                    then reported_last_activity_date
                else observed_last_activity_date
            end as last_activity_date
        from seats
    ) as resolved

)

select * from final
