{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **refresh_window_config('usage_date')
    )
}}

{#-
    AI cost on FOCUS-aligned columns, published with a contract. The rules are int_ai_cost_daily's;
    a run copies the refresh window's days it rebuilt there.
-#}

select * from {{ ref('int_ai_cost_daily') }}
where {{ in_refresh_window('usage_date') }}
