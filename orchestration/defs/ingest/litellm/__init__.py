"""Ingest of LiteLLM proxy spend logs through the proxy API."""
