{#-
    OpenTelemetry GenAI model-call spans on the canonical usage contract: provider is the upstream
    (gen_ai.provider.name mapped), project_id and credential_id the service.name, no API key.
    gen_ai.usage.input_tokens includes cache reads and writes, as the conventions require.
-#}
{{ gateway_usage_normalized('int_otel_requests') }}
