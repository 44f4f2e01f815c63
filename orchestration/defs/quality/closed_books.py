"""A blocking check that a release changes no closed month's chargeback without a record."""

import dagster as dg

from warehouse.books import MART, book_path, closed_month_changes
from warehouse.paths import Paths
from warehouse.publish import current_dir


@dg.asset_check(
    asset=dg.AssetKey(["marts", MART]),
    name="closed_months_unchanged",
    description=(
        "Every month closed in the current release has exactly the same chargeback lines in the new "
        "build: a change to a closed month is charged as an adjustment in the open month "
        "(rpt_chargeback_restatements), never made in place. Blocks publishing when it fails."
    ),
    blocking=True,
    pool="duckdb",
)
def closed_months_unchanged(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    paths = Paths.from_env()
    previous = current_dir(paths.published) / "warehouse.duckdb"
    changes = closed_month_changes(paths.warehouse, previous)
    for month, (missing, new) in changes.items():
        context.log.error(
            f"{MART}: closed month {month:%Y-%m} changed without a recorded restatement: "
            f"{missing} published line(s) gone, {new} line(s) new. Its books "
            f"({book_path(paths.books, month)}) no longer match the release {previous.parent.resolve().name}: "
            f"restore that file from the release, or delete it so the next run books it again "
            f"from the release; then re-run"
        )
    return dg.AssetCheckResult(
        passed=not changes,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "previous_release": str(previous.parent.resolve()) if previous.exists() else "none",
            "changed_months": dg.MetadataValue.json(
                {f"{m:%Y-%m}": {"gone": a, "new": b} for m, (a, b) in changes.items()}
            ),
        },
    )


@dg.definitions
def closed_books_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[closed_months_unchanged])
