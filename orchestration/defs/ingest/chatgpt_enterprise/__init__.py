"""Ingest of the ChatGPT Enterprise Compliance API (workspace users)."""
