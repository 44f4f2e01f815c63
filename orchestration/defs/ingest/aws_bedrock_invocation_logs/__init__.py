"""Ingest of Amazon Bedrock model invocation logs (metadata only, no bodies)."""
