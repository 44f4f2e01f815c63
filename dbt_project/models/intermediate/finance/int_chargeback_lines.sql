{#-
    The monthly chargeback as the data says it today: invoiced usage cost as allocated by
    int_usage_cost_allocated and seat cost as amortised by int_seat_cost_amortised_daily, per cost
    centre, team, application, provider (the tool for seats), model, charge kind, allocation method
    and billing currency, converted to the reporting currency day by day at the governance FX rate
    valid on that day. Billed cost is summed unrounded (billed_cost_exact, reporting_cost_exact),
    then charged in whole minor units of its currency (cents): each provider's month is rounded once
    and its units assigned to cost centres, then to their lines, by largest remainder, so the lines
    add up exactly to the invoice as rounded and to each cost centre's amount, in the billing and
    in the reporting currency. rpt_chargeback_monthly publishes these lines for the months not yet
    in the books.
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

),

exact as (

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
        monthly.billed_cost as billed_cost_exact,
        coalesce(monthly.reporting_currency, reporting_currency.reporting_currency) as reporting_currency,
        monthly.reporting_cost as reporting_cost_exact,
        monthly.total_tokens,
        monthly.seat_days,
        {{ minor_units_per_major('monthly.billing_currency') }} as billed_units_per_major,
        {{ minor_units_per_major('coalesce(monthly.reporting_currency, reporting_currency.reporting_currency)') }}
            as reporting_units_per_major
    from monthly
    cross join reporting_currency

),

{#- Whole minor units by largest remainder, in two steps for each currency: a provider's month
    (its invoice) is split among cost centres so that they add up to the invoice rounded to the
    minor unit, then each cost centre's amount among its lines. -#}
{%- set invoice = ['billing_month', 'provider', 'charge_kind', 'billing_currency'] %}
{%- set line = ['team_id', 'application_id', 'model_id', 'allocation_method'] %}
{%- for measure in ['billed', 'reporting'] %}

{{ measure }}_cost_centres as (

    select
        {{ invoice | join(', ') }},
        cost_center_id,
        max({{ measure }}_units_per_major) as units_per_major,
        sum({{ measure }}_cost_exact) as amount
    from exact
    group by {{ invoice | join(', ') }}, cost_center_id

),

{{ measure }}_cost_centres_rounded as (

    {{ largest_remainder(
        measure ~ '_cost_centres', 'amount', 'units_per_major', invoice, ['cost_center_id'],
        'round(sum(amount * units_per_major) over (partition by ' ~ (invoice | join(', ')) ~ '))'
    ) }}

),

{{ measure }}_lines as (

    select
        exact.*,
        cost_centres.rounded_units as cost_centre_units
    from exact
    inner join {{ measure }}_cost_centres_rounded as cost_centres
        on cost_centres.cost_center_id is not distinct from exact.cost_center_id
        {%- for column in invoice %}
        and cost_centres.{{ column }} is not distinct from exact.{{ column }}
        {%- endfor %}

),

{{ measure }}_lines_rounded as (

    {{ largest_remainder(
        measure ~ '_lines', measure ~ '_cost_exact', measure ~ '_units_per_major',
        invoice + ['cost_center_id'], line, 'cost_centre_units'
    ) }}

),
{%- endfor %}

final as (

    select
        billed.*,
        billed.rounded_units * {{ minor_unit('billed.billing_currency') }} as billed_cost,
        reporting.rounded_units * {{ minor_unit('billed.reporting_currency') }} as reporting_cost
    from billed_lines_rounded as billed
    inner join reporting_lines_rounded as reporting
        on reporting.cost_center_id is not distinct from billed.cost_center_id
        {%- for column in invoice + line %}
        and reporting.{{ column }} is not distinct from billed.{{ column }}
        {%- endfor %}

)

select
    billing_month,
    cost_center_id,
    team_id,
    application_id,
    provider,
    model_id,
    charge_kind,
    allocation_method,
    billing_currency,
    cast(billed_cost as decimal(38, 2)) as billed_cost,
    billed_cost_exact,
    reporting_currency,
    cast(reporting_cost as decimal(38, 2)) as reporting_cost,
    reporting_cost_exact,
    total_tokens,
    seat_days
from final
