{#-
    Each paid seat's monthly price spread over the days it is held: one row per seat and day,
    charged to the team and cost centre its holder belonged to that day (a mover is charged to the
    old team before the move day and to the new one from it). A seat's charge for a month is
    price x days held / days in the month, at the column's 10 decimals; every day gets the price /
    days in the month cut to 10 decimals and the seat's last day of the month the rest, so the days
    add up to the month's charge exactly. Seats whose holder matches no person stay, on the
    unattributed line.
-#}

with seats as (

    select
        {{ surrogate_key(['tool', 'source_id', 'seat_holder_key']) }} as seat_key,
        activity_date,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as billing_month,
        tool,
        source_id,
        seat_holder_key,
        person_id,
        team_id,
        cost_center_id,
        list_price_per_seat_month,
        currency_code
    from {{ ref('int_seat_assignments_daily') }}

),

sized as (

    select
        *,
        {{ dbt.datediff('billing_month', dbt.dateadd('month', 1, 'billing_month'), 'day') }}
            as days_in_month,
        count(*) over (partition by seat_key, billing_month, currency_code) as days_held,
        row_number() over (
            partition by seat_key, billing_month, currency_code order by activity_date desc
        ) as days_from_last
    from seats

),

priced as (

    select
        *,
        cast({{ decimal_divide('list_price_per_seat_month * days_held', 'days_in_month', 10) }} as decimal(38, 10))
            as month_charge,
        cast(floor(list_price_per_seat_month * 10000000000 / days_in_month) / 10000000000
            as decimal(38, 10)) as daily_charge
    from sized

)

select
    cast(activity_date as date) as activity_date,
    cast(billing_month as date) as billing_month,
    cast(seat_key as {{ dbt.type_string() }}) as seat_key,
    cast(tool as {{ dbt.type_string() }}) as tool,
    cast(source_id as {{ dbt.type_string() }}) as source_id,
    cast(seat_holder_key as {{ dbt.type_string() }}) as seat_holder_key,
    cast(person_id as {{ dbt.type_string() }}) as person_id,
    cast(team_id as {{ dbt.type_string() }}) as team_id,
    cast(coalesce(cost_center_id, 'unattributed') as {{ dbt.type_string() }}) as cost_center_id,
    cast(case when team_id is null then 'unattributed' else 'seat_assignment' end
        as {{ dbt.type_string() }}) as allocation_method,
    cast(currency_code as {{ dbt.type_string() }}) as billing_currency,
    cast(list_price_per_seat_month as decimal(38, 10)) as list_price_per_seat_month,
    cast(days_in_month as integer) as days_in_month,
    cast(days_held as integer) as days_held_in_month,
    cast(
        case
            when days_from_last = 1 then month_charge - daily_charge * (days_held - 1)
            else daily_charge
        end as decimal(38, 10)
    ) as seat_cost
from priced
