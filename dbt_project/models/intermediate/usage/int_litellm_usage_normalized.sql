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
        on_schema_change='fail',
        meta={'aiuw': {'test_days': 'landed'}},
        **refresh_window_config('usage_date', landed=true)
    )
}}

{{ gateway_usage_normalized('int_litellm_requests') }}
