"""Ingest of Azure Cost Management FOCUS exports (Azure OpenAI / Foundry rows)."""
