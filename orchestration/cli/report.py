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

from reports.chargeback import build_chargeback_report, latest_closed_chargeback_month
from reports.chargeback_data import ReportError
from reports.executive import build_executive_summary, latest_period
from reports.output import reports_root
from reports.periods import parse_month
from warehouse.paths import Paths
from warehouse.publish import current_dir


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


def materialize_reports(definitions, instance, published: Path) -> bool:
    """After a run: the report assets (the chargeback and the executive summary) of the latest
    closed month materialized by a run of the reports job, so the lineage reaches them; the files'
    paths printed."""
    from orchestration.automation_names import REPORTS_JOB
    from orchestration.cli.console import (
        CONSOLE_RUN_CONFIG,
        print_step_failures,
        with_progress_console,
    )
    from orchestration.lib.crashed_runs import process_tags

    database = current_dir(published) / "warehouse.duckdb"
    try:
        month = latest_closed_chargeback_month(database)
    except ReportError as error:
        print(f"reports not written: {error}", file=sys.stderr, flush=True)
        return False
    job = with_progress_console(definitions.resolve_job_def(REPORTS_JOB))
    result = job.execute_in_process(
        instance=instance,
        run_config=CONSOLE_RUN_CONFIG,
        partition_key=month.isoformat(),
        tags=process_tags(),
        raise_on_error=False,
    )
    if not result.success:
        print_step_failures(result, "reports not written: ")
        return False
    written = {
        event.asset_key.to_user_string(): event.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    chargeback = written["reports/chargeback"]
    print(
        f"reports for {month:%Y-%m} (chargeback {chargeback['total'].value}, "
        f"{chargeback['cost_centres'].value} cost centres), run {result.run_id}:",
        flush=True,
    )
    for key in ("reports/chargeback", "reports/executive_summary"):
        for name in ("xlsx", "csv", "html"):
            if name in written.get(key, {}):
                print(f"  {written[key][name].value}", flush=True)
    return True


if __name__ == "__main__":
    sys.exit(main())
