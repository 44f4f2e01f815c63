{#-
    The Microsoft 365 Copilot service plans among each Entra ID user's assignedPlans, with the time
    each was assigned. Which service plans are Copilot is the Entra source's
    options.copilot_service_plan_ids in the sources config, passed as run_var('copilot_service_plan_ids')
    (source id -> plan ids); a source missing from it has no Copilot plans here.
-#}

{%- set copilot_plans = [] %}
{%- for source_id, plan_ids in (run_var('copilot_service_plan_ids') or {}).items() %}
    {%- for plan_id in plan_ids %}
        {%- do copilot_plans.append((source_id, plan_id | lower)) %}
    {%- endfor %}
{%- endfor %}

with users as (

    select
        _source_id as source_id,
        _partition_date as snapshot_date,
        id as user_id,
        userPrincipalName as user_principal_name,
        assignedPlans_json as assigned_plans_json
    from {{ source('entra_id', 'users') }}
    where assignedPlans_json is not null

),

assigned_plans as (

    select
        source_id,
        snapshot_date,
        user_id,
        user_principal_name,
        {{ json_object_array_elements(
            'assigned_plans_json',
            ['assignedDateTime', 'capabilityStatus', 'service', 'servicePlanId'],
        ) }} as assigned_plan
    from users

),

copilot_service_plans as (

    {%- for source_id, plan_id in copilot_plans %}
    select '{{ source_id }}' as source_id, '{{ plan_id }}' as service_plan_id
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as source_id,
        cast(null as {{ dbt.type_string() }}) as service_plan_id
    where 1 = 0
    {%- endfor %}

),

renamed as (

    select
        assigned_plans.source_id,
        assigned_plans.snapshot_date,
        assigned_plans.user_id,
        assigned_plans.user_principal_name,
        {{ normalized_email('assigned_plans.user_principal_name') }} as email,
        lower(assigned_plans.assigned_plan.servicePlanId) as service_plan_id,
        assigned_plans.assigned_plan.service as service,
        assigned_plans.assigned_plan.capabilityStatus as capability_status,
        {{ identity_timestamp('assigned_plans.assigned_plan.assignedDateTime') }} as assigned_at
    from assigned_plans
    inner join copilot_service_plans
        on copilot_service_plans.source_id = assigned_plans.source_id
        and copilot_service_plans.service_plan_id = lower(assigned_plans.assigned_plan.servicePlanId)

),

final as (

    -- one row per plan assignment (a plan two licence products carry is listed twice); an entry
    -- without an assignment time dates nothing
    select distinct
        *,
        cast(assigned_at as date) as assigned_on
    from renamed
    where assigned_at is not null

)

select * from final
