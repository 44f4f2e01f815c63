{#-
    One row per person x day x source type: what each identity source said about the person on each
    day any source was pulled. A source's latest snapshot stands for the days after it until its next
    snapshot, for at most var('identity_stale_after_days') days (a source whose pulls stop stops
    counting). Should one source list a person twice, the active record wins, then the lowest
    source id and user id.
-#}

with matched as (

    select * from {{ ref('int_identity_records_matched') }}

),

source_snapshots as (

    select distinct source_id, snapshot_date from matched

),

pull_days as (

    select distinct snapshot_date as as_of_date from matched

),

latest as (

    select
        pull_days.as_of_date,
        source_snapshots.source_id,
        max(source_snapshots.snapshot_date) as snapshot_date

    from pull_days
    inner join source_snapshots
        on source_snapshots.snapshot_date <= pull_days.as_of_date
        and source_snapshots.snapshot_date > {{ dbt.dateadd('day', -var('identity_stale_after_days', 7), 'pull_days.as_of_date') }}
    group by pull_days.as_of_date, source_snapshots.source_id

),

carried as (

    select
        latest.as_of_date,
        matched.*,
        row_number() over (
            partition by matched.person_id, latest.as_of_date, matched.source_type
            order by
                case when matched.status = 'active' then 0 else 1 end,
                matched.source_id,
                matched.source_user_id
        ) as source_rank

    from latest
    inner join matched
        on matched.source_id = latest.source_id
        and matched.snapshot_date = latest.snapshot_date

)

select * from carried where source_rank = 1
