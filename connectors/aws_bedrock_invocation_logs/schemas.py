"""Landing schema of Bedrock model invocation logs: the log's own field names, flattened.

Records are flattened (`input.inputTokenCount` -> `inputTokenCount`, `identity.arn` ->
`identity_arn`) and keep only an allow-list of fields: request and response bodies are never landed.
`sensitive_entity_counts` is the reader's own: JSON text of the entity types found in the inline
bodies and their counts (`{"EMAIL_ADDRESS": 2}`, `{}` for none), null when there was no body to read.
"""

from __future__ import annotations

import pyarrow as pa

INVOCATIONS = pa.schema(
    [
        ("schemaType", pa.string()),
        ("schemaVersion", pa.string()),
        ("timestamp", pa.timestamp("us")),
        ("accountId", pa.string()),
        ("region", pa.string()),
        ("requestId", pa.string()),
        ("operation", pa.string()),
        ("modelId", pa.string()),
        ("identity_arn", pa.string()),
        ("inferenceRegion", pa.string()),
        ("requestMetadata", pa.string()),
        ("errorCode", pa.string()),
        ("inputContentType", pa.string()),
        ("inputTokenCount", pa.int64()),
        ("cacheReadInputTokenCount", pa.int64()),
        ("cacheWriteInputTokenCount", pa.int64()),
        ("outputContentType", pa.string()),
        ("outputTokenCount", pa.int64()),
        ("contentLogged", pa.bool_()),
        ("sensitive_entity_counts", pa.string()),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {"invocations": INVOCATIONS}
