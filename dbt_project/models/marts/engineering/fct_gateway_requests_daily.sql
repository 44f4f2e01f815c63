{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **refresh_window_config('usage_date', landed=true)
    )
}}

{#-
    Gateway traffic for engineering, published with a contract. The rules are
    int_gateway_requests_daily's; a run copies the landed window's days it rebuilt there.
-#}

select * from {{ ref('int_gateway_requests_daily') }}
where {{ in_landed_window('usage_date') }}
