"""Landing schema for GenAI spans: one row per span that carries `gen_ai.*` attributes.

Known attributes become columns named after the attribute with dots as underscores
(`gen_ai.usage.input_tokens` -> `gen_ai_usage_input_tokens`); any other span or resource attribute
is kept under its own name and lands in `_extra_json` (resource attributes prefixed `resource.`).
Content attributes (prompts, completions, system instructions, tool arguments and results) are
dropped before landing; `records_prompts` says the span (or one of its events) carried some, and
`sensitive_entity_counts` what it held: JSON text of entity types and counts (`{}` for none), null
without content. Times are naive UTC; `duration_ms` is end minus start.
"""

from __future__ import annotations

import pyarrow as pa

# attribute -> landing type; the column is the attribute name with dots replaced by underscores
KNOWN_ATTRIBUTES: dict[str, pa.DataType] = {
    "gen_ai.operation.name": pa.string(),
    "gen_ai.provider.name": pa.string(),
    "gen_ai.system": pa.string(),
    "gen_ai.request.model": pa.string(),
    "gen_ai.response.model": pa.string(),
    "gen_ai.response.id": pa.string(),
    "gen_ai.response.finish_reasons": pa.string(),
    "gen_ai.usage.input_tokens": pa.int64(),
    "gen_ai.usage.output_tokens": pa.int64(),
    "gen_ai.usage.cache_read.input_tokens": pa.int64(),
    "gen_ai.usage.cache_creation.input_tokens": pa.int64(),
    "gen_ai.usage.reasoning.output_tokens": pa.int64(),
    "gen_ai.usage.prompt_tokens": pa.int64(),
    "gen_ai.usage.completion_tokens": pa.int64(),
    "gen_ai.conversation.id": pa.string(),
    "gen_ai.agent.name": pa.string(),
    "openai.request.service_tier": pa.string(),
    "server.address": pa.string(),
    "error.type": pa.string(),
    "enduser.id": pa.string(),
}
# Opt-in content attributes: never landed. Prefixes catch indexed forms (gen_ai.prompt.0.content).
CONTENT_ATTRIBUTES = frozenset(
    {
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
        "gen_ai.prompt",
        "gen_ai.completion",
        "gen_ai.tool.call.arguments",
        "gen_ai.tool.call.result",
        "gen_ai.tool.definitions",
    }
)
CONTENT_PREFIXES = ("gen_ai.prompt.", "gen_ai.completion.")


def column(attribute: str) -> str:
    return attribute.replace(".", "_")


def is_content(attribute: str) -> bool:
    return attribute in CONTENT_ATTRIBUTES or attribute.startswith(CONTENT_PREFIXES)


SPAN_FIELDS: list[tuple[str, pa.DataType]] = [
    ("trace_id", pa.string()),
    ("span_id", pa.string()),
    ("parent_span_id", pa.string()),
    ("span_name", pa.string()),
    ("span_kind", pa.string()),
    ("start_time", pa.timestamp("us")),
    ("end_time", pa.timestamp("us")),
    ("duration_ms", pa.float64()),
    ("status_code", pa.string()),
    ("status_message", pa.string()),
    ("service_name", pa.string()),
    ("scope_name", pa.string()),
    ("scope_version", pa.string()),
    ("records_prompts", pa.bool_()),
    ("sensitive_entity_counts", pa.string()),
]

SCHEMAS: dict[str, pa.Schema] = {
    "genai_spans": pa.schema(
        SPAN_FIELDS + [(column(name), kind) for name, kind in KNOWN_ATTRIBUTES.items()]
    )
}
