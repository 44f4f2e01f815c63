{#-
    Fails for every group whose sum of `column` differs from the sum of `to_column` in `to` (rows
    matching `to_where`): exact equality, so allocations provably add up to what they allocate.
    `to_group_by` names the same groups in `to` where its columns are named otherwise.
-#}
{% test sums_match(model, column, to, to_column, group_by, to_where='1 = 1', to_group_by=none) %}
{%- set to_columns = to_group_by or group_by %}
with allocated as (

    select {{ group_by | join(', ') }}, sum({{ column }}) as total
    from {{ model }}
    group by {{ group_by | join(', ') }}

),

expected as (

    select
        {% for c in to_columns %}{{ c }} as {{ group_by[loop.index0] }}, {% endfor %}
        sum({{ to_column }}) as total
    from {{ to }}
    where {{ to_where }}
    group by {{ to_columns | join(', ') }}

)

select
    {% for c in group_by %}coalesce(allocated.{{ c }}, expected.{{ c }}) as {{ c }}, {% endfor %}
    allocated.total as allocated_total,
    expected.total as expected_total
from allocated
full outer join expected
    on {% for c in group_by %}{% if not loop.first %} and {% endif %}allocated.{{ c }} is not distinct from expected.{{ c }}{% endfor %}
where allocated.total is distinct from expected.total
{% endtest %}
