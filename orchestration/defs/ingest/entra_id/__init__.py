"""Ingest of Entra ID users through Microsoft Graph (daily snapshots)."""
