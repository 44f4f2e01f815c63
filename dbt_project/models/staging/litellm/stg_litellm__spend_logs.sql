{#- Tests check the days a run re-landed (macros/test_window.sql). -#}
{{ config(meta={'aiuw': {'test_days': 'landed'}}) }}

with source as (

    select * from {{ source('litellm', 'spend_logs') }}

),

renamed as (

    {{ litellm_spend_log_columns() }}

    from source

)

select * from renamed
