{#-
    OpenTelemetry GenAI model-call spans on the canonical usage contract: provider is the upstream
    (gen_ai.provider.name mapped), project_id and credential_id the service.name, no API key.
    gen_ai.usage.input_tokens includes cache reads and writes, as the conventions require.
    A daily aggregate kept as an incremental table, so history-wide readers never rescan requests.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_landed_window('usage_date') }}",
        meta={'aiuw': {'test_days': 'landed'}}
    )
}}

{{ gateway_usage_normalized('int_otel_requests') }}
