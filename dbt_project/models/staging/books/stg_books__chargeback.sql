{#- The booked chargeback lines of the closed months, as they were published when each month closed. -#}

select
    cast(chargeback_key as {{ dbt.type_string() }}) as chargeback_key,
    cast(billing_month as date) as billing_month,
    -- lines booked before the column existed charge their own month
    cast(coalesce(charged_month, billing_month) as date) as charged_month,
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
    cast(billed_cost as decimal(38, 10)) as billed_cost,
    cast(reporting_currency as {{ dbt.type_string() }}) as reporting_currency,
    cast(reporting_cost as decimal(38, 10)) as reporting_cost,
    cast(total_tokens as bigint) as total_tokens,
    cast(seat_days as bigint) as seat_days
from {{ source('books', 'chargeback') }}
