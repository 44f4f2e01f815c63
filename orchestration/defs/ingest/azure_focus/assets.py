"""Daily ingest of Azure FOCUS cost exports into the landing zone (`raw/azure_focus/cost_rows`).

Every export run restates its whole month, so a run rewrites every day of each month the refresh
window touches, from the latest export run of that month.
"""

from contextlib import nullcontext
from datetime import date, timedelta

import dagster as dg

from connectors.azure_focus.reader import AzureFocusReader
from connectors.azure_focus.schemas import SCHEMAS
from connectors.config import SourceConfig
from orchestration.lib.ingest import Entity, build_ingest_assets
from orchestration.lib.partitions import RefreshWindow, whole_months
from orchestration.lib.restatements import EXACT, BilledTotals, summed_per_day


def open_client(source: SourceConfig):
    return nullcontext(AzureFocusReader(source.resolved_path(), source_id=source.id))


def charge_day(record: dict) -> date:
    return record["ChargePeriodStart"].date()


def _cost_rows(reader: AzureFocusReader, window: RefreshWindow):
    days = whole_months(window)
    return reader.cost_rows(days[0], days[-1] + timedelta(days=1))


ENTITIES = [
    Entity(
        "cost_rows",
        "Azure OpenAI / Foundry FOCUS cost rows per charge day, account and meter (latest export run "
        "of each month; money as exact decimal text).",
        SCHEMAS["cost_rows"],
        _cost_rows,
        charge_day,
        whole_months,
        billed_totals=BilledTotals(
            summed_per_day(
                lambda reader, w: reader.cost_rows(w.start, w.end), charge_day, ("BilledCost",)
            ),
            columns=("BilledCost",),
            tolerance=EXACT,
        ),
    ),
]


@dg.definitions
def azure_focus_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("azure_focus", ENTITIES, open_client))
