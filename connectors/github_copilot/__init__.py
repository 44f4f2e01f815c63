"""GitHub Copilot: seat assignments, usage-metrics reports and premium request billing."""
