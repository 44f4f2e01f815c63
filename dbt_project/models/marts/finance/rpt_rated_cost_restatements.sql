{#-
    Rated cost restatements: each time a day's rated cost changed from one recorded value to the
    next (an override added or ended, a new catalog release, restated usage), the value before and
    after, what changed it and when it was recorded. Read from fct_rated_cost_history.
-#}

with history as (

    select
        *,
        lag(rated_cost) over (partition by rated_cost_key order by recorded_at, version_key) as previous_rated_cost,
        lag(overrides_sha256) over (partition by rated_cost_key order by recorded_at, version_key) as previous_overrides_sha256,
        lag(catalog_version) over (partition by rated_cost_key order by recorded_at, version_key) as previous_catalog_version,
        lag(override_id) over (partition by rated_cost_key order by recorded_at, version_key) as previous_override_id,
        lag(recorded_at) over (partition by rated_cost_key order by recorded_at, version_key) as previous_recorded_at,
        row_number() over (partition by rated_cost_key order by recorded_at, version_key) as version_number
    from {{ ref('fct_rated_cost_history') }}

),

changed as (

    select * from history
    where version_number > 1
        and (
            rated_cost <> previous_rated_cost
            or (rated_cost is null) <> (previous_rated_cost is null)
        )

)

select
    cast(version_key as {{ dbt.type_string() }}) as restatement_key,
    cast(rated_cost_key as {{ dbt.type_string() }}) as rated_cost_key,
    cast(usage_date as date) as usage_date,
    cast(provider as {{ dbt.type_string() }}) as provider,
    cast(gateway as {{ dbt.type_string() }}) as gateway,
    cast(project_id as {{ dbt.type_string() }}) as project_id,
    cast(model_id as {{ dbt.type_string() }}) as model_id,
    cast(price_tier as {{ dbt.type_string() }}) as price_tier,
    cast(previous_recorded_at as timestamp) as previous_recorded_at,
    cast(recorded_at as timestamp) as recorded_at,
    cast(previous_rated_cost as decimal(38, 10)) as previous_rated_cost,
    cast(rated_cost as decimal(38, 10)) as rated_cost,
    cast(rated_cost - previous_rated_cost as decimal(38, 10)) as rated_cost_change,
    cast(previous_override_id as {{ dbt.type_string() }}) as previous_override_id,
    cast(override_id as {{ dbt.type_string() }}) as override_id,
    cast(previous_overrides_sha256 as {{ dbt.type_string() }}) as previous_overrides_sha256,
    cast(overrides_sha256 as {{ dbt.type_string() }}) as overrides_sha256,
    cast(previous_catalog_version as {{ dbt.type_string() }}) as previous_catalog_version,
    cast(catalog_version as {{ dbt.type_string() }}) as catalog_version,
    cast('USD' as {{ dbt.type_string() }}) as billing_currency
from changed
