"""Daily ingest of exported LiteLLM spend-log files (`raw/litellm_export/spend_logs`).

The same requests may also arrive through the API source; dbt counts each request id once.
"""

from contextlib import nullcontext

import dagster as dg

from connectors.config import SourceConfig
from connectors.litellm.schemas import SCHEMAS
from connectors.litellm_export.reader import LiteLLMExportReader
from orchestration.defs.ingest.litellm.assets import start_day
from orchestration.lib.ingest import Entity, build_ingest_assets
from warehouse.paths import Paths


def open_client(source: SourceConfig):
    return nullcontext(
        LiteLLMExportReader(
            source.resolved_path(),
            source_id=source.id,
            index_path=Paths.from_env().export_file_index(source.id),
        )
    )


ENTITIES = [
    Entity(
        "spend_logs",
        "LiteLLM spend logs from export files (CSV or NDJSON dumps of LiteLLM_SpendLogs): one row "
        "per proxied request, by UTC start day; stored prompts never landed, only the sensitive "
        "entity types found in them and their counts.",
        SCHEMAS["spend_logs"],
        lambda reader, window: reader.spend_logs(window.start_at, window.end_at),
        start_day,
    ),
]


@dg.definitions
def litellm_export_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("litellm_export", ENTITIES, open_client))
