"""LiteLLM proxy spend logs from the `/spend/logs/v2` API."""
