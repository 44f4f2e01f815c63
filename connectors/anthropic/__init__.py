"""Anthropic Admin API: usage and cost reports, Claude Code usage and the organization inventory."""
