{#-
    Each identity record with the person it belongs to. The matching rule, in order:
    1. the alias table (governance/person_aliases.yml): a record whose email is a declared alias
       belongs to the person of the aliased email;
    2. the employee id: records with the same employee id are one person;
    3. the normalized email: a record without an employee id joins the person whose records carry
       that email with an employee id, else it is a person of its own keyed by the email.
    person_email is the address the person is known by (the alias target for an aliased record).
-#}

with records as (

    select * from {{ ref('int_identity_records_unioned') }}

),

aliases as (

    select * from {{ ref('stg_governance__person_aliases') }}

),

email_employee as (

    -- the employee id each email carries somewhere (the largest, should two ever disagree)
    select
        email,
        max(employee_id) as employee_id

    from records
    where employee_id is not null and email is not null
    group by email

),

keyed as (

    select
        records.*,
        coalesce(aliases.person_email, records.email) as person_email,
        case
            when aliases.person_email is not null then 'alias'
            when records.employee_id is not null then 'employee_id'
            when own.employee_id is not null then 'email_to_employee_id'
            when records.email is not null then 'email'
            else 'source_user'
        end as match_rule,
        case
            when aliases.person_email is not null
                then coalesce(
                    {{ dbt.concat(["'employee:'", 'target.employee_id']) }},
                    {{ dbt.concat(["'email:'", 'aliases.person_email']) }}
                )
            when records.employee_id is not null
                then {{ dbt.concat(["'employee:'", 'records.employee_id']) }}
            else coalesce(
                {{ dbt.concat(["'employee:'", 'own.employee_id']) }},
                {{ dbt.concat(["'email:'", 'records.email']) }},
                {{ dbt.concat(["'user:'", 'records.source_id', "':'", 'records.source_user_id']) }}
            )
        end as person_key

    from records
    left join aliases on aliases.alias_email = records.email
    left join email_employee as target on target.email = aliases.person_email
    left join email_employee as own on own.email = records.email

)

select
    {{ surrogate_key(['person_key']) }} as person_id,
    keyed.*

from keyed
