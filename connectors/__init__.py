"""Plain-Python clients for every source: HTTP, paging, retries and formats, nothing about Dagster."""
