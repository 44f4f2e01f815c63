"""Ingest of LiteLLM spend logs exported as files."""
