"""Effective-dated model prices from the installed genai-prices package (offline, no download)."""
