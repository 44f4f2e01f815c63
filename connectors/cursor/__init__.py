"""Cursor Admin API: team members, daily usage, usage events and spend."""
