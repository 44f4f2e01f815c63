"""Ingest of SCIM 2.0 users (daily snapshots)."""
