{#-
    The monthly chargeback as the data says it today: invoiced usage cost as allocated by
    int_usage_cost_allocated and seat cost as amortised by int_seat_cost_amortised_daily, per cost
    centre, team, application, provider (the tool for seats), model, charge kind, allocation method
    and billing currency, converted to the reporting currency day by day at the governance FX rate
    valid on that day. Billed cost is summed unrounded, so a month's lines add up exactly to what
    was invoiced. rpt_chargeback_monthly publishes these lines for the months not yet in the books.
-#}

with usage_lines as (

    select
        usage_date as charge_date,
        billing_month,
        cost_center_id,
        team_id,
        application_id,
        provider,
        model_id,
        'usage' as charge_kind,
        allocation_method,
        billing_currency,
        billed_cost,
        total_tokens,
        cast(null as bigint) as seat_days
    from {{ ref('int_usage_cost_allocated') }}

),

seat_lines as (

    select
        activity_date as charge_date,
        billing_month,
        cost_center_id,
        team_id,
        cast(null as {{ dbt.type_string() }}) as application_id,
        tool as provider,
        cast(null as {{ dbt.type_string() }}) as model_id,
        'seat' as charge_kind,
        allocation_method,
        billing_currency,
        seat_cost as billed_cost,
        cast(null as bigint) as total_tokens,
        cast(1 as bigint) as seat_days
    from {{ ref('int_seat_cost_amortised_daily') }}

),

lines as (

    select * from usage_lines
    union all
    select * from seat_lines

),

rates as (

    select * from {{ ref('stg_governance__fx_rates') }}

),

converted as (

    select
        lines.*,
        rates.reporting_currency,
        cast(lines.billed_cost * rates.rate_to_reporting as decimal(38, 10)) as reporting_cost
    from lines
    left join rates
        on rates.currency_code = lines.billing_currency
        and (rates.valid_from is null or rates.valid_from <= lines.charge_date)
        and (rates.valid_to is null or lines.charge_date < rates.valid_to)

),

monthly as (

    select
        billing_month, cost_center_id, team_id, application_id, provider, model_id, charge_kind,
        allocation_method, billing_currency,
        max(reporting_currency) as reporting_currency,
        sum(billed_cost) as billed_cost,
        sum(reporting_cost) as reporting_cost,
        sum(total_tokens) as total_tokens,
        sum(seat_days) as seat_days
    from converted
    group by
        billing_month, cost_center_id, team_id, application_id, provider, model_id, charge_kind,
        allocation_method, billing_currency

),

reporting_currency as (

    select max(reporting_currency) as reporting_currency from rates

)

select
    monthly.billing_month,
    monthly.cost_center_id,
    monthly.team_id,
    monthly.application_id,
    monthly.provider,
    monthly.model_id,
    monthly.charge_kind,
    monthly.allocation_method,
    monthly.billing_currency,
    monthly.billed_cost,
    coalesce(monthly.reporting_currency, reporting_currency.reporting_currency) as reporting_currency,
    monthly.reporting_cost,
    monthly.total_tokens,
    monthly.seat_days
from monthly
cross join reporting_currency
