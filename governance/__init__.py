"""Governance as code: the declared side (teams, applications and their credentials) as validated YAML."""
