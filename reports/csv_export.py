"""The chargeback lines of a month as CSV: one row per mart line, amounts as exact decimal strings."""

from __future__ import annotations

import csv
from pathlib import Path

from reports.chargeback_data import LINE_COLUMNS, ChargebackMonth


def write_csv(report: ChargebackMonth, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["billing_month", *LINE_COLUMNS])
        for line in report.lines:
            writer.writerow(
                [report.month.isoformat()]
                + [
                    "" if getattr(line, column) is None else str(getattr(line, column))
                    for column in LINE_COLUMNS
                ]
            )
