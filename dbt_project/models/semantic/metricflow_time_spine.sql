{{ config(materialized='table', schema='semantic') }}

{#- One row per day, the calendar MetricFlow joins metrics onto. Cross-database through dbt's date_spine. -#}
with days as (
    {{ dbt.date_spine(
        datepart="day",
        start_date="cast('2020-01-01' as date)",
        end_date="cast('2036-01-01' as date)"
    ) }}
)

select cast(date_day as date) as date_day
from days
