{#-
    Where the identity sources disagree about a person: one row per pull day x person x attribute
    whose sources hold different values, with each source's value, the value dim_person uses and the
    source it came from. Compared after normalization (emails lower case and alias-resolved, status
    as active / suspended / departed). Status disagrees only on whether the person may sign in
    (active against suspended or departed), since only Okta and Google can say departed. `listed`
    compares presence: a source pulled that day that does not list the person says `absent`.
-#}

{%- set attributes = ['email', 'employee_id', 'display_name', 'team_name', 'department', 'cost_center_id', 'manager_email', 'status'] -%}
{%- set sources = ['scim', 'okta', 'entra_id', 'google_workspace'] -%}

with source_days as (

    select * from {{ ref('int_identity_person_days') }}

),

resolved as (

    select * from {{ ref('int_person_days_resolved') }}

),

pulled as (

    select distinct as_of_date, source_type, source_precedence from source_days

),

presence as (

    select
        resolved.person_id,
        resolved.as_of_date,
        pulled.source_type,
        pulled.source_precedence,
        'listed' as attribute,
        case when source_days.person_id is null then 'absent' else 'listed' end as source_value,
        'listed' as resolved_value

    from resolved
    inner join pulled on pulled.as_of_date = resolved.as_of_date
    left join source_days
        on source_days.person_id = resolved.person_id
        and source_days.as_of_date = resolved.as_of_date
        and source_days.source_type = pulled.source_type

),

long as (

    {%- for attribute in attributes %}
    select
        d.person_id,
        d.as_of_date,
        d.source_type,
        d.source_precedence,
        '{{ attribute }}' as attribute,
        cast(d.{{ 'person_email' if attribute == 'email' else attribute }} as {{ dbt.type_string() }}) as source_value,
        cast(r.{{ attribute }} as {{ dbt.type_string() }}) as resolved_value

    from source_days as d
    inner join resolved as r
        on r.person_id = d.person_id
        and r.as_of_date = d.as_of_date
    union all
    {%- endfor %}
    select * from presence

),

compared as (

    select
        *,
        case
            when attribute = 'status' and source_value <> 'active' then 'inactive'
            else source_value
        end as compared_value

    from long

),

disagreements as (

    select
        person_id,
        as_of_date,
        attribute,
        max(resolved_value) as resolved_value,
        {%- for source in sources %}
        max(case when source_type = '{{ source }}' then source_value end) as {{ source }}_value,
        {%- endfor %}
        min(case when source_value = resolved_value then source_precedence end) as resolved_precedence,
        count(distinct compared_value) as distinct_values

    from compared
    group by person_id, as_of_date, attribute
    having count(distinct compared_value) > 1

)

select
    {{ surrogate_key(['person_id', 'as_of_date', 'attribute']) }} as disagreement_id,
    as_of_date as snapshot_date,
    person_id,
    attribute,
    {%- for source in sources %}
    {{ source }}_value,
    {%- endfor %}
    resolved_value,
    case resolved_precedence
        when 1 then 'scim'
        when 2 then 'okta'
        when 3 then 'entra_id'
        when 4 then 'google_workspace'
    end as resolved_source,
    case
        when attribute = 'status' then 'most_restrictive'
        when attribute = 'listed' then 'any_source'
        else 'source_precedence'
    end as resolution_rule,
    cast(distinct_values as integer) as distinct_values

from disagreements
