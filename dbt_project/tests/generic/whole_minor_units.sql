{#-
    Money charged in whole minor units of its currency (`currency`), as largest remainder gives
    them from the exact amounts (`exact`). Fails for every row whose `column` is not whole minor
    units or is a minor unit or more away from its exact amount; for every `group_by` group (an
    invoice) whose lines do not add up to its exact total rounded to the minor unit; and for every
    `group_by` + `within` group (a cost centre's part of the invoice) whose lines are a minor unit
    or more away from its exact total.
-#}
{% test whole_minor_units(model, column, exact, currency, group_by, within=[]) %}
with lines as (

    select
        {{ group_by | join(', ') }},
        {% for c in within %}{{ c }}, {% endfor %}
        {{ column }} as amount,
        {{ exact }} as exact_amount,
        {{ minor_units_per_major(currency) }} as units_per_major,
        {{ minor_unit(currency) }} as unit
    from {{ model }}
    where {{ exact }} is not null

),

bad_lines as (

    select
        'line' as failure,
        {{ group_by | join(', ') }},
        amount,
        exact_amount
    from lines
    where amount is null
        or amount * units_per_major <> floor(amount * units_per_major)
        or abs(amount - exact_amount) >= unit

),

bad_invoices as (

    select
        'invoice' as failure,
        {{ group_by | join(', ') }},
        sum(amount) as amount,
        sum(exact_amount) as exact_amount
    from lines
    group by {{ group_by | join(', ') }}
    having sum(amount) <> round(sum(exact_amount * units_per_major)) * max(unit)

){% if within %},

bad_parts as (

    select
        'part' as failure,
        {{ group_by | join(', ') }},
        sum(amount) as amount,
        sum(exact_amount) as exact_amount
    from lines
    group by {{ group_by | join(', ') }}, {{ within | join(', ') }}
    having abs(sum(amount) - sum(exact_amount)) >= max(unit)

){% endif %}

select * from bad_lines
union all
select * from bad_invoices
{% if within %}
union all
select * from bad_parts
{% endif %}
{% endtest %}
