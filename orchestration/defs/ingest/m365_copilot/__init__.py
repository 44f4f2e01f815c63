"""Ingest of the Microsoft 365 Copilot usage user detail report."""
