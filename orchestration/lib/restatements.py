"""Billed days restated after they left the refresh window, found with one cheap call per source.

A provider may restate a day's bill weeks later. Each run asks the source for its ungrouped daily
totals over the open and the previous month (an API's daily listing, or a billing export's rows
summed per day), compares them with what is landed for those days, and the run re-lands only the
days whose totals changed (or that never landed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from orchestration.lib.partitions import RefreshWindow

# billing exports keep the exact decimal text: any difference is a restatement
EXACT = Decimal("1E-9")


@dataclass(frozen=True)
class BilledTotals:
    """How to re-check one billing entity.

    Args:
        fetch: the source's total per UTC day over a window, from an open client.
        columns: the landed columns (exact decimal text) whose sum per day is that total.
        tolerance: differences below it are rounding of the API's numbers, not restatements.
    """

    fetch: Callable[[Any, RefreshWindow], dict[date, Decimal]]
    columns: tuple[str, ...]
    tolerance: Decimal


def summed_per_day(
    records: Callable[[Any, RefreshWindow], Iterable[dict]],
    day_of: Callable[[dict], date],
    columns: tuple[str, ...],
) -> Callable[[Any, RefreshWindow], dict[date, Decimal]]:
    """Daily totals of a billing export: its rows over the window, the columns summed per day."""

    def fetch(client: Any, window: RefreshWindow) -> dict[date, Decimal]:
        totals: dict[date, Decimal] = {}
        for record in records(client, window):
            day = day_of(record)
            amount = sum((Decimal(str(record[c])) for c in columns if record.get(c)), Decimal(0))
            totals[day] = totals.get(day, Decimal(0)) + amount
        return totals

    return fetch


def recheck_window(window: RefreshWindow, history_start: date) -> RefreshWindow | None:
    """From the first day of the month before the window's first day, up to the window."""
    first = (window.start.replace(day=1) - timedelta(days=1)).replace(day=1)
    start = max(first, history_start)
    return RefreshWindow(start, window.start) if start < window.start else None


def landed_total(path: Path, columns: tuple[str, ...]) -> Decimal | None:
    if not path.exists():
        return None
    table = pq.read_table(path, columns=list(columns))
    values = [v for c in columns for v in table.column(c).to_pylist() if v is not None]
    return sum((Decimal(v) for v in values), Decimal(0))


def restated_days(
    totals: BilledTotals,
    client: Any,
    directory: Path,
    window: RefreshWindow,
    history_start: date,
) -> list[date]:
    """Days before the window whose billed total now differs from the landed one."""
    recheck = recheck_window(window, history_start)
    if recheck is None:
        return []
    billed = totals.fetch(client, recheck)
    changed = []
    for day in recheck.days():
        landed = landed_total(directory / f"{day.isoformat()}.parquet", totals.columns)
        now = billed.get(day, Decimal(0))
        if landed is None and now == 0:
            continue
        if landed is None or abs(now - landed) >= totals.tolerance:
            changed.append(day)
    return changed


def spans(days: list[date]) -> list[RefreshWindow]:
    """Consecutive days as windows, so each is fetched with one listing."""
    windows: list[RefreshWindow] = []
    for day in sorted(days):
        if windows and windows[-1].end == day:
            windows[-1] = RefreshWindow(windows[-1].start, day + timedelta(days=1))
        else:
            windows.append(RefreshWindow(day, day + timedelta(days=1)))
    return windows
