"""Ingest of GitHub Copilot (seats, usage-metrics reports, premium requests)."""
