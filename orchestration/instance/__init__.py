"""The Dagster instance's storage as this project configures it (`dagster.yaml`)."""
