with source as (

    select * from {{ source('governance', 'budgets') }}

),

renamed as (

    select
        scope as budget_scope,
        scope_id,
        cast(amount_per_month as decimal(38, 10)) as budget_amount,
        currency as currency_code,
        starts_on,
        ends_on,
        owner as budget_owner

    from source

)

select * from renamed
