"""AWS Bedrock: CUR 2.0 (Data Exports) Bedrock rows and model invocation logs."""
