{#-
    OpenTelemetry GenAI model-call spans on the canonical usage contract: provider is the upstream
    (gen_ai.provider.name mapped), project_id and credential_id the service.name, no API key.
    gen_ai.usage.input_tokens includes cache reads and writes, as the conventions require.
    A daily aggregate kept as an incremental table, so history-wide readers never rescan requests.
-#}
{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        meta={'aiuw': {'test_days': 'landed'}},
        **refresh_window_config('usage_date', landed=true)
    )
}}

{{ gateway_usage_normalized('int_otel_requests') }}
