"""Daily ingest of OpenTelemetry GenAI spans from OTLP JSON files (`raw/otlp_genai/genai_spans`)."""

from contextlib import nullcontext
from datetime import date

import dagster as dg

from connectors.config import SourceConfig
from connectors.otlp_genai.reader import OtlpGenAiReader
from connectors.otlp_genai.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets
from warehouse.paths import Paths


def open_client(source: SourceConfig):
    return nullcontext(
        OtlpGenAiReader(
            source.resolved_path(),
            source_id=source.id,
            index_path=Paths.from_env().export_file_index(source.id),
        )
    )


def start_day(record: dict) -> date:
    return record["start_time"].date()


ENTITIES = [
    Entity(
        "genai_spans",
        "OpenTelemetry spans with gen_ai attributes (operation, provider, models, token usage, "
        "status, error type, duration), one row per span by UTC start day; content never landed, "
        "only the sensitive entity types found in it and their counts.",
        SCHEMAS["genai_spans"],
        lambda reader, window: reader.spans(window.start_at, window.end_at),
        start_day,
    ),
]


@dg.definitions
def otlp_genai_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("otlp_genai", ENTITIES, open_client))
