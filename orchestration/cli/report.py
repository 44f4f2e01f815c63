"""Write the reports from the published warehouse.

    python -m orchestration.cli.report chargeback --month 2026-10 [--out DIR]
    python -m orchestration.cli.report executive-summary [--month 2026-10] [--out DIR]

Without --month: the latest closed month. Files go to DIR/<month>/ (default data/reports/<month>/),
each written to a temporary file and renamed into place.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.lib.publish import current_dir
from orchestration.lib.settings import Paths
from orchestration.reports.chargeback import build_chargeback_report, latest_closed_chargeback_month
from orchestration.reports.chargeback_data import ReportError
from orchestration.reports.executive import build_executive_summary, latest_period
from orchestration.reports.output import reports_root
from orchestration.reports.periods import parse_month


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.cli.report",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("report", choices=["chargeback", "executive-summary"])
    parser.add_argument("--month", help="YYYY-MM (default: the latest closed month)")
    parser.add_argument("--out", type=Path, help="reports directory (default: data/reports)")
    parser.add_argument(
        "--database",
        type=Path,
        help="published DuckDB file (default: data/published/current/warehouse.duckdb)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database = args.database or current_dir(Paths.from_env().published) / "warehouse.duckdb"
    out = (args.out or reports_root()).resolve()
    try:
        if args.report == "chargeback":
            month = (
                parse_month(args.month) if args.month else latest_closed_chargeback_month(database)
            )
            files = build_chargeback_report(database, month, out)
            print(
                f"chargeback {month:%Y-%m}: {files.total:,.2f} {files.currency} "
                f"over {files.cost_centres} cost centres"
            )
            for path in files.paths():
                print(f"  {path}")
        else:
            month = parse_month(args.month) if args.month else latest_period(database)
            summary = build_executive_summary(database, month, out)
            print(f"executive summary {month:%Y-%m}:\n  {summary.html}")
    except (ReportError, ValueError) as error:
        print(f"report not written: {error}", file=sys.stderr)
        return 2
    return 0


def write_reports(published: Path) -> bool:
    """After a run: the chargeback of the latest closed month and the executive summary, paths printed."""
    database = current_dir(published) / "warehouse.duckdb"
    out = reports_root()
    try:
        month = latest_closed_chargeback_month(database)
        files = build_chargeback_report(database, month, out)
        summary = build_executive_summary(database, month, out)
    except ReportError as error:
        print(f"reports not written: {error}", file=sys.stderr, flush=True)
        return False
    print(
        f"reports for {month:%Y-%m} (chargeback {files.total:,.2f} {files.currency}, "
        f"{files.cost_centres} cost centres):",
        flush=True,
    )
    for path in [*files.paths(), summary.html]:
        print(f"  {path}", flush=True)
    return True


if __name__ == "__main__":
    sys.exit(main())
