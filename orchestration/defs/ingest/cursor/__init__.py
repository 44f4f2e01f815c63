"""Ingest of the Cursor Admin API (members, daily usage, usage events, spend)."""
