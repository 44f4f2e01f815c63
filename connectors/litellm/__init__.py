"""LiteLLM proxy spend logs: the `/spend/logs/v2` API and exported spend-log files."""
