"""AWS CUR 2.0 (Data Exports) files: the Bedrock rows of the cost and usage report."""
