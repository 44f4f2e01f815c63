"""Daily ingest of Cloud Billing export files into the landing zone
(`raw/gcp_billing_export/vertex_cost_rows`).

Rows of a usage day keep changing for days after it (late usage, restated cost and credits), so a run
rewrites GCP_LATE_UPDATE_DAYS days before its window as well (orchestration/lib/partitions.py).
"""

from contextlib import nullcontext
from datetime import date, timedelta

import dagster as dg

from connectors.config import SourceConfig
from connectors.gcp_billing_export.reader import GcpBillingExportReader
from connectors.gcp_billing_export.schemas import SCHEMAS
from orchestration.lib.ingest import Entity, build_ingest_assets
from orchestration.lib.partitions import RefreshWindow, with_late_updates
from orchestration.lib.restatements import EXACT, BilledTotals, summed_per_day


def open_client(source: SourceConfig):
    return nullcontext(GcpBillingExportReader(source.resolved_path(), source_id=source.id))


def usage_day(record: dict) -> date:
    return record["usage_start_time"].date()


def _vertex_cost_rows(reader: GcpBillingExportReader, window: RefreshWindow):
    days = with_late_updates(window)
    return reader.vertex_cost_rows(days[0], days[-1] + timedelta(days=1))


ENTITIES = [
    Entity(
        "vertex_cost_rows",
        "Vertex AI rows of the Cloud Billing export per usage hour, project and SKU (cost before "
        "credits and the credits, as exact decimal text).",
        SCHEMAS["vertex_cost_rows"],
        _vertex_cost_rows,
        usage_day,
        with_late_updates,
        billed_totals=BilledTotals(
            summed_per_day(
                lambda reader, w: reader.vertex_cost_rows(w.start, w.end),
                usage_day,
                ("cost", "credits_amount"),
            ),
            columns=("cost", "credits_amount"),
            tolerance=EXACT,
        ),
    ),
]


@dg.definitions
def gcp_billing_export_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("gcp_billing_export", ENTITIES, open_client))
