{#-
    Every day in [start_date, end_date) as a column `spine_day`, for at most 10,000 days; both
    arguments are SQL date expressions. Built from digits so it needs no adapter-specific series.
-#}
{% macro day_spine(start_date, end_date) -%}
    select cast({{ dbt.dateadd('day', 'offsets.n', start_date) }} as date) as spine_day
    from (
        select thousands.d * 1000 + hundreds.d * 100 + tens.d * 10 + ones.d as n
        from {{ _digits() }} as thousands
        cross join {{ _digits() }} as hundreds
        cross join {{ _digits() }} as tens
        cross join {{ _digits() }} as ones
    ) as offsets
    where offsets.n < {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}

{% macro _digits() -%}
    (select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
     union all select 5 union all select 6 union all select 7 union all select 8 union all select 9)
{%- endmacro %}
