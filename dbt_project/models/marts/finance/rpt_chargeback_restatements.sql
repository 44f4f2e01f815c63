{#-
    Every change to a closed month's chargeback: the adjustment lines of rpt_chargeback_monthly,
    with the month they restate, the month they are charged in, why, and whether that month is in
    the books yet (booked) or still open (pending: the difference is recomputed every run until the
    month it is charged in closes).
-#}

with adjustments as (

    select * from {{ ref('rpt_chargeback_monthly') }}
    where restated_month is not null

),

booked_months as (

    select distinct billing_month from {{ ref('stg_books__chargeback') }}

)

select
    cast(adjustments.chargeback_key as {{ dbt.type_string() }}) as chargeback_key,
    cast(adjustments.restated_month as date) as restated_month,
    cast(adjustments.billing_month as date) as posted_month,
    cast(adjustments.restatement_reason as {{ dbt.type_string() }}) as restatement_reason,
    cast(case when booked_months.billing_month is not null then 'booked' else 'pending' end as {{ dbt.type_string() }}) as status,
    cast(adjustments.cost_center_id as {{ dbt.type_string() }}) as cost_center_id,
    cast(adjustments.team_id as {{ dbt.type_string() }}) as team_id,
    cast(adjustments.application_id as {{ dbt.type_string() }}) as application_id,
    cast(adjustments.provider as {{ dbt.type_string() }}) as provider,
    cast(adjustments.model_id as {{ dbt.type_string() }}) as model_id,
    cast(adjustments.charge_kind as {{ dbt.type_string() }}) as charge_kind,
    cast(adjustments.allocation_method as {{ dbt.type_string() }}) as allocation_method,
    cast(adjustments.billing_currency as {{ dbt.type_string() }}) as billing_currency,
    cast(adjustments.billed_cost as decimal(38, 2)) as billed_cost_change,
    cast(adjustments.reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
    cast(adjustments.reporting_cost as decimal(38, 2)) as reporting_cost_change
from adjustments
left join booked_months on booked_months.billing_month = adjustments.billing_month
