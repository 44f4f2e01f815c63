"""LiteLLM spend logs exported to files (CSV or NDJSON, optionally gzipped), read like the API's pages."""
