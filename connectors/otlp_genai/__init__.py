"""OpenTelemetry GenAI spans from OTLP JSON files (OpenTelemetry Collector file exporter)."""
