{{ config(materialized='table') }}

{#-
    Evidence that monitoring is in place: for every framework control a policy serves, whether the
    policy is enabled and evaluated, through which day, what it found and which exceptions it uses.
-#}

with controls as (

    select * from {{ ref('stg_governance__policy_controls') }}

),

policies as (

    select * from {{ ref('stg_governance__policies') }}

),

evaluated_through as (

    select max(usage_date) as last_date from {{ ref('int_usage_governed') }}

),

violations as (

    select
        policy_id,
        sum(case when status = 'open' then 1 else 0 end) as open_violations,
        sum(case when status = 'excepted' then 1 else 0 end) as excepted_violations,
        sum(case when status = 'reraised' then 1 else 0 end) as reraised_violations,
        max(usage_date) as last_violation_date
    from {{ ref('fct_policy_violations') }}
    group by policy_id

),

exceptions as (

    select
        policy_id,
        sum(case when expires_on > evaluated_through.last_date then 1 else 0 end) as active_exceptions,
        sum(case when expires_on <= evaluated_through.last_date then 1 else 0 end) as expired_exceptions
    from {{ ref('stg_governance__exceptions') }}
    cross join evaluated_through
    group by policy_id

)

select
    cast({{ surrogate_key(['controls.framework', 'controls.control_reference', 'controls.policy_id']) }} as {{ dbt.type_string() }}) as control_coverage_key,
    cast(controls.framework as {{ dbt.type_string() }}) as framework,
    cast(controls.control_reference as {{ dbt.type_string() }}) as control_reference,
    cast(policies.policy_id as {{ dbt.type_string() }}) as policy_id,
    cast(policies.rule as {{ dbt.type_string() }}) as rule,
    cast(policies.severity as {{ dbt.type_string() }}) as severity,
    cast(policies.is_enabled as boolean) as is_enabled,
    cast(case when policies.is_enabled then evaluated_through.last_date end as date) as evaluated_through_date,
    cast(coalesce(violations.open_violations, 0) as bigint) as open_violations,
    cast(coalesce(violations.excepted_violations, 0) as bigint) as excepted_violations,
    cast(coalesce(violations.reraised_violations, 0) as bigint) as reraised_violations,
    cast(violations.last_violation_date as date) as last_violation_date,
    cast(coalesce(exceptions.active_exceptions, 0) as bigint) as active_exceptions,
    cast(coalesce(exceptions.expired_exceptions, 0) as bigint) as expired_exceptions
from controls
inner join policies on policies.policy_id = controls.policy_id
cross join evaluated_through
left join violations on violations.policy_id = policies.policy_id
left join exceptions on exceptions.policy_id = policies.policy_id
