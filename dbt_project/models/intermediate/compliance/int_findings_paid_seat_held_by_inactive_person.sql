{#-
    A paid SaaS AI tool seat still assigned, on a day, to a person who had left or was suspended. The
    person's status comes from int_person_versions, reaching back to left_at / suspended_at as the
    usage rule does. A seat counts as paid unless governance prices its plan at zero; a seat whose
    plan has no price yet is kept (the chargeback flags the missing price). Seats of a tenant that
    conceals names cannot be tied to a person and are not evaluated. One row per seat and day, shaped
    like the other findings: the credential is the tool and the holder's email.
-#}

with seats as (

    select * from {{ ref('int_seat_assignments_daily') }}
    where seat_holder_email is not null
        and (list_price_per_seat_month is null or list_price_per_seat_month > 0)

),

inactive as (

    select
        email,
        coalesce(
            cast(case when status = 'departed' then left_at else suspended_at end as date),
            valid_from
        ) as inactive_from,
        valid_to
    from {{ ref('int_person_versions') }}
    where status in ('departed', 'suspended')

)

select distinct
    'paid_seat_held_by_inactive_person' as rule,
    seats.seat_assignment_id as evidence_key,
    seats.activity_date as usage_date,
    cast(null as {{ dbt.type_string() }}) as application_id,
    seats.team_id,
    seats.tool as credential_provider,
    seats.seat_holder_email as credential_id,
    cast(null as {{ dbt.type_string() }}) as provider,
    cast(null as {{ dbt.type_string() }}) as model_id,
    seats.seat_holder_email as person_id,
    0 as request_count,
    cast(null as bigint) as total_tokens
from seats
inner join inactive
    on inactive.email = seats.seat_holder_email
    and seats.activity_date >= inactive.inactive_from
    and (inactive.valid_to is null or seats.activity_date < inactive.valid_to)
