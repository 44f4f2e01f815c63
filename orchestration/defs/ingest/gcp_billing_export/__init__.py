"""Ingest of the Google Cloud Billing export files (Vertex AI rows)."""
