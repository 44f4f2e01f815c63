"""Ingest of the Okta Users and Groups API (daily snapshots)."""
