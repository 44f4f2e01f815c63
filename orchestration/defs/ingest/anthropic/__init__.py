"""Ingest of the Anthropic Admin API (usage and cost reports, Claude Code usage, inventory)."""
