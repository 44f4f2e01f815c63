"""Google Cloud Billing export files (a BigQuery extract): Vertex AI cost rows."""
