"""Ingest of OpenTelemetry GenAI spans from OTLP JSON files."""
