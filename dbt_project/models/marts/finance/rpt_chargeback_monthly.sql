{#-
    The monthly chargeback. A month in the books (stg_books__chargeback: each closed month as first
    published) keeps its booked lines; any other month has the lines the data gives today
    (int_chargeback_lines). Where today's data differs from what the books charge for a closed
    month (its own lines plus the adjustments booked since), the difference is charged in the open
    month, the month of the data's as-of day, as adjustment lines that name the month they restate
    and why: the provider's bill for that month changed (provider_restatement), the seat charges
    changed (seat_change), or the same total moved between cost centres, teams or applications
    (reallocation: governance, identity or tags changed). So a closed month never changes, and for
    every month its lines plus the adjustments that restate it add up to the cost as known today.
-#}

{%- set grain = ['cost_center_id', 'team_id', 'application_id', 'provider', 'model_id', 'charge_kind', 'allocation_method', 'billing_currency'] %}

with computed as (

    select * from {{ ref('int_chargeback_lines') }}

),

booked as (

    select * from {{ ref('stg_books__chargeback') }}

),

booked_months as (

    select distinct billing_month from booked

),

as_of as (

    -- the data's as-of day: the day after the last day with invoiced cost
    select {{ dbt.dateadd('day', 1, 'max(usage_date)') }} as as_of_date
    from {{ ref('fct_ai_cost_daily') }}
    where cost_kind = 'invoiced'

),

open_month as (

    select cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as billing_month from as_of

),

unbooked as (

    select computed.*
    from computed
    left join booked_months on booked_months.billing_month = computed.billing_month
    where booked_months.billing_month is null

),

charged_by_the_books as (

    -- what the books charge for each booked month: its own lines and the adjustments booked since
    select
        charged_month as billing_month,
        {{ grain | join(', ') }},
        sum(billed_cost) as billed_cost,
        sum(reporting_cost) as reporting_cost,
        sum(total_tokens) as total_tokens,
        sum(seat_days) as seat_days
    from booked
    group by charged_month, {{ grain | join(', ') }}

),

charged_today as (

    select computed.*
    from computed
    inner join booked_months on booked_months.billing_month = computed.billing_month

),

differences as (

    select
        coalesce(today.billing_month, books.billing_month) as restated_month,
        {%- for column in grain %}
        coalesce(today.{{ column }}, books.{{ column }}) as {{ column }},
        {%- endfor %}
        coalesce(today.billed_cost, 0) - coalesce(books.billed_cost, 0) as billed_cost,
        coalesce(today.reporting_cost, 0) - coalesce(books.reporting_cost, 0) as reporting_cost,
        case
            when today.total_tokens is not null or books.total_tokens is not null
                then coalesce(today.total_tokens, 0) - coalesce(books.total_tokens, 0)
        end as total_tokens,
        case
            when today.seat_days is not null or books.seat_days is not null
                then coalesce(today.seat_days, 0) - coalesce(books.seat_days, 0)
        end as seat_days
    from charged_today as today
    full outer join charged_by_the_books as books
        on books.billing_month = today.billing_month
        {%- for column in grain %}
        and books.{{ column }} is not distinct from today.{{ column }}
        {%- endfor %}

),

changed as (

    select * from differences where billed_cost <> 0 or reporting_cost <> 0

),

total_changes as (

    select restated_month, provider, charge_kind, billing_currency, sum(billed_cost) as billed_cost
    from changed
    group by restated_month, provider, charge_kind, billing_currency

),

adjustments as (

    select
        open_month.billing_month,
        changed.restated_month,
        case
            when totals.billed_cost <> 0 and changed.charge_kind = 'seat' then 'seat_change'
            when totals.billed_cost <> 0 then 'provider_restatement'
            else 'reallocation'
        end as restatement_reason,
        {%- for column in grain %}
        changed.{{ column }},
        {%- endfor %}
        changed.billed_cost,
        reporting_currency.reporting_currency,
        changed.reporting_cost,
        changed.total_tokens,
        changed.seat_days
    from changed
    cross join open_month
    cross join (select max(reporting_currency) as reporting_currency from computed) as reporting_currency
    inner join total_changes as totals
        on totals.restated_month = changed.restated_month
        and totals.provider = changed.provider
        and totals.charge_kind = changed.charge_kind
        and totals.billing_currency is not distinct from changed.billing_currency

),

new_lines as (

    select
        billing_month,
        cast(null as date) as restated_month,
        cast(null as {{ dbt.type_string() }}) as restatement_reason,
        {{ grain | join(', ') }},
        billed_cost,
        reporting_currency,
        reporting_cost,
        total_tokens,
        seat_days
    from unbooked
    union all
    select
        billing_month,
        restated_month,
        restatement_reason,
        {{ grain | join(', ') }},
        billed_cost,
        reporting_currency,
        reporting_cost,
        total_tokens,
        seat_days
    from adjustments

),

published_today as (

    select
        case
            when lines.restated_month is null
                then {{ surrogate_key(['lines.billing_month', 'lines.cost_center_id', 'lines.team_id', 'lines.application_id', 'lines.provider', 'lines.model_id', 'lines.charge_kind', 'lines.allocation_method', 'lines.billing_currency']) }}
            else {{ surrogate_key(['lines.billing_month', 'lines.cost_center_id', 'lines.team_id', 'lines.application_id', 'lines.provider', 'lines.model_id', 'lines.charge_kind', 'lines.allocation_method', 'lines.billing_currency', 'lines.restated_month']) }}
        end as chargeback_key,
        lines.billing_month,
        {{ dbt.dateadd('month', 1, 'lines.billing_month') }} <= as_of.as_of_date as is_closed_month,
        coalesce(lines.restated_month, lines.billing_month) as charged_month,
        lines.restated_month,
        lines.restatement_reason,
        lines.cost_center_id,
        lines.team_id,
        teams.team_name,
        lines.application_id,
        applications.application_name,
        lines.provider,
        lines.model_id,
        lines.charge_kind,
        lines.allocation_method,
        lines.billing_currency,
        lines.billed_cost,
        lines.reporting_currency,
        lines.reporting_cost,
        lines.total_tokens,
        lines.seat_days
    from new_lines as lines
    cross join as_of
    left join {{ ref('dim_team') }} as teams on teams.team_id = lines.team_id
    left join {{ ref('dim_application') }} as applications
        on applications.application_id = lines.application_id

),

final as (

    select
        chargeback_key,
        billing_month,
        true as is_closed_month,
        charged_month,
        restated_month,
        restatement_reason,
        cost_center_id,
        team_id,
        team_name,
        application_id,
        application_name,
        provider,
        model_id,
        charge_kind,
        allocation_method,
        billing_currency,
        billed_cost,
        reporting_currency,
        reporting_cost,
        total_tokens,
        seat_days
    from booked
    union all
    select * from published_today

)

select
    cast(chargeback_key as {{ dbt.type_string() }}) as chargeback_key,
    cast(billing_month as date) as billing_month,
    cast(is_closed_month as boolean) as is_closed_month,
    cast(charged_month as date) as charged_month,
    cast(restated_month as date) as restated_month,
    cast(restatement_reason as {{ dbt.type_string() }}) as restatement_reason,
    cast(cost_center_id as {{ dbt.type_string() }}) as cost_center_id,
    cast(team_id as {{ dbt.type_string() }}) as team_id,
    cast(team_name as {{ dbt.type_string() }}) as team_name,
    cast(application_id as {{ dbt.type_string() }}) as application_id,
    cast(application_name as {{ dbt.type_string() }}) as application_name,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(model_id as {{ dbt.type_string() }}) as model_id,
    cast(charge_kind as {{ dbt.type_string() }}) as charge_kind,
    cast(allocation_method as {{ dbt.type_string() }}) as allocation_method,
    cast(billing_currency as {{ dbt.type_string() }}) as billing_currency,
    cast(billed_cost as decimal(38, 2)) as billed_cost,
    cast(reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
    cast(reporting_cost as decimal(38, 2)) as reporting_cost,
    cast(total_tokens as bigint) as total_tokens,
    cast(seat_days as bigint) as seat_days
from final
