"""Ingest of Google Workspace Directory users (daily snapshots)."""
