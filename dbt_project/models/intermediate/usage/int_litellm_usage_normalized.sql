{#-
    LiteLLM usage on the canonical contract: provider is the upstream (custom_llm_provider mapped),
    project_id the LiteLLM team, api_key_id the hashed virtual key. prompt_tokens already includes
    cache reads and writes (OpenAI semantics). Each request id counts once across the API and export
    sources (int_litellm_requests).
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

{{ gateway_usage_normalized('int_litellm_requests') }}
