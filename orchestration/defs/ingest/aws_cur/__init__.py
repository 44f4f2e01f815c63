"""Ingest of AWS CUR 2.0 (Data Exports) files (Amazon Bedrock rows)."""
