{#-
    Every paid SaaS AI tool seat per holder per day, priced at its list price, with the holder's
    team on that day (int_person_versions, SCD2) and whether the seat sits idle. A seat is idle when its
    holder has not used the tool for `seat_idle_days` days (var, default 30) or never used it; tools
    that expose no activity (ChatGPT Enterprise's Compliance API) leave is_idle null, and so do
    days carried back before the first seat snapshot whose last activity is not known (activity
    before the landed history may have been more recent than 30 days).
    fct_seat_assignments_daily publishes it; the seat chargeback reads it.
-#}

with seats as (

    select * from {{ ref('int_saas_seat_activity_daily') }}

),

prices as (

    select * from {{ ref('stg_governance__seat_prices') }}

),

people as (

    select * from {{ ref('int_person_versions') }}

),

joined as (

    select
        seats.*,
        prices.price_per_seat_month,
        prices.currency_code,
        people.person_id,
        people.team_id,
        people.cost_center_id,
        people.status as person_status
    from seats
    left join prices
        on prices.tool = seats.tool
        and prices.plan = seats.plan
        and prices.starts_on <= seats.activity_date
        and (prices.ends_on is null or seats.activity_date < prices.ends_on)
    left join people
        on people.email = seats.seat_holder_email
        and people.valid_from <= seats.activity_date
        and (people.valid_to is null or seats.activity_date < people.valid_to)

),

final as (

    select
        {{ surrogate_key(['tool', 'source_id', 'seat_holder_key', 'activity_date']) }}
            as seat_assignment_id,
        cast(activity_date as date) as activity_date,
        tool,
        source_id,
        seat_holder_key,
        seat_holder_email,
        is_concealed,
        person_id,
        team_id,
        cost_center_id,
        person_status,
        plan,
        seat_status,
        is_carried_back,
        is_carried_forward,
        cast(price_per_seat_month as decimal(38, 10)) as list_price_per_seat_month,
        currency_code,
        last_activity_date,
        cast(days_since_last_activity as bigint) as days_since_last_activity,
        is_active_on_day,
        case
            when tool = 'chatgpt_enterprise' then null
            when last_activity_date is null and is_carried_back then null
            when last_activity_date is null then true
            else days_since_last_activity >= {{ var('seat_idle_days', 30) }}
        end as is_idle,
        cast(spend_usd as decimal(38, 10)) as spend_usd
    from joined

)

select * from final
