"""AWS Bedrock model invocation logs delivered to S3 (gzip JSON lines): usage per request."""
