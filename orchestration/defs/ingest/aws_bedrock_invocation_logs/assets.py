"""Daily ingest of Bedrock model invocation logs (`raw/aws_bedrock_invocation_logs/invocations`).

One record per request, metadata and token counts only: request and response bodies are dropped by
the reader and never land.
"""

from contextlib import nullcontext

import dagster as dg

from connectors.aws_bedrock_invocation_logs.reader import InvocationLogReader, day_of
from connectors.aws_bedrock_invocation_logs.schemas import SCHEMAS
from connectors.config import SourceConfig
from orchestration.lib.ingest import Entity, build_ingest_assets


def open_client(source: SourceConfig):
    return nullcontext(InvocationLogReader(source.resolved_path(), source_id=source.id))


ENTITIES = [
    Entity(
        "invocations",
        "Bedrock invocation log records per request (timestamp, account, region, model or "
        "inference profile, caller, token counts incl. cache reads/writes); no prompt or completion, "
        "only the sensitive entity types found in them and their counts.",
        SCHEMAS["invocations"],
        lambda reader, window: reader.records(window.start_at, window.end_at),
        day_of,
    ),
]


@dg.definitions
def aws_bedrock_invocation_logs_ingest() -> dg.Definitions:
    return dg.Definitions(
        assets=build_ingest_assets("aws_bedrock_invocation_logs", ENTITIES, open_client)
    )
