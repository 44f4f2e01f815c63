{{ config(materialized='table') }}

with teams as (

    select * from {{ ref('stg_governance__teams') }}

),

cost_centers as (

    select * from {{ ref('stg_governance__cost_centers') }}

),

applications as (

    select team_id, count(*) as application_count
    from {{ ref('stg_governance__applications') }}
    group by team_id

)

select
    cast(teams.team_id as {{ dbt.type_string() }}) as team_id,
    cast(teams.team_name as {{ dbt.type_string() }}) as team_name,
    cast(teams.department as {{ dbt.type_string() }}) as department,
    cast(teams.business_unit as {{ dbt.type_string() }}) as business_unit,
    cast(teams.cost_center_id as {{ dbt.type_string() }}) as cost_center_id,
    cast(cost_centers.cost_center_name as {{ dbt.type_string() }}) as cost_center_name,
    cast(teams.owner_email as {{ dbt.type_string() }}) as owner_email,
    cast(coalesce(applications.application_count, 0) as bigint) as application_count
from teams
left join cost_centers on cost_centers.cost_center_id = teams.cost_center_id
left join applications on applications.team_id = teams.team_id
