"""Daily ingest of AWS CUR 2.0 Bedrock rows into the landing zone (`raw/aws_cur/bedrock_line_items`),
and of the rows of the resources governance declares to serve self-hosted model deployments
(`raw/aws_cur/self_hosted_line_items`, governance/self_hosted.yml): never the whole CUR.

Data Exports rewrite the current month's files on every refresh until the invoice closes, so a run
rewrites every day of each billing month the refresh window touches (up to the window's last day; orchestration/lib/partitions.py):
a restated month replaces what was landed, never adds to it.
"""

from contextlib import nullcontext
from datetime import date, timedelta

import dagster as dg

from connectors.aws_cur.reader import CurReader, DeclaredResources
from connectors.aws_cur.schemas import SCHEMAS
from connectors.config import SourceConfig
from governance.load import load_governance
from orchestration.lib.ingest import Entity, build_ingest_assets
from orchestration.lib.partitions import RefreshWindow, billing_month_to_date
from orchestration.lib.restatements import EXACT, BilledTotals, summed_per_day


def open_client(source: SourceConfig):
    return nullcontext(CurReader(source.resolved_path(), source_id=source.id))


def usage_day(record: dict) -> date:
    return record["line_item_usage_start_date"].date()


def _line_items(reader: CurReader, window: RefreshWindow):
    days = billing_month_to_date(window)
    return reader.line_items(days[0], days[-1] + timedelta(days=1))


def declared_resources() -> DeclaredResources:
    """The CUR resources governance declares to serve self-hosted deployments."""
    return DeclaredResources(load_governance().self_hosted_resource_rows("aws_cur"))


def _self_hosted_line_items(reader: CurReader, window: RefreshWindow):
    days = billing_month_to_date(window)
    return reader.self_hosted_line_items(
        days[0], days[-1] + timedelta(days=1), declared_resources()
    )


ENTITIES = [
    Entity(
        "bedrock_line_items",
        "Amazon Bedrock CUR 2.0 rows per usage day, account, usage type (model x token type) and "
        "resource; whole billing months reloaded; money and usage amounts as exact decimal text.",
        SCHEMAS["bedrock_line_items"],
        _line_items,
        usage_day,
        billing_month_to_date,
        # a month closed by the invoice can still be restated (refunds, credits): the previous
        # month's days are re-checked on every run
        billed_totals=BilledTotals(
            summed_per_day(
                lambda reader, w: reader.line_items(w.start, w.end),
                usage_day,
                ("line_item_unblended_cost",),
            ),
            columns=("line_item_unblended_cost",),
            tolerance=EXACT,
        ),
    ),
    Entity(
        "self_hosted_line_items",
        "CUR 2.0 rows of the cloud resources (resource ids or tags) that governance/self_hosted.yml"
        " declares to serve a self-hosted model deployment, with that deployment; per usage day;"
        " whole billing months reloaded; money and usage amounts as exact decimal text.",
        SCHEMAS["self_hosted_line_items"],
        _self_hosted_line_items,
        usage_day,
        billing_month_to_date,
    ),
]


@dg.definitions
def aws_cur_ingest() -> dg.Definitions:
    return dg.Definitions(assets=build_ingest_assets("aws_cur", ENTITIES, open_client))
