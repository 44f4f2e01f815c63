"""Microsoft 365 Copilot usage reports through Microsoft Graph."""
