"""Report months: parsing `2026-10`, and which month is the latest closed one in the published data."""

from __future__ import annotations

from datetime import date, timedelta


def parse_month(text: str) -> date:
    """`2026-10` (or `2026-10-01`) as the first day of that month."""
    try:
        parts = text.strip().split("-")
        if len(parts) not in (2, 3):
            raise ValueError
        return date(int(parts[0]), int(parts[1]), 1)
    except ValueError:
        raise ValueError(
            f"month {text!r} is not a month: write it as YYYY-MM, e.g. 2026-10"
        ) from None


def month_label(month: date) -> str:
    return month.strftime("%Y-%m")


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def latest_closed_month(as_of: date) -> date:
    """The last month that ended before `as_of` (the last day with data)."""
    last_day_of_month = next_month(as_of) - timedelta(days=1)
    return as_of.replace(day=1) if as_of == last_day_of_month else previous_month(as_of)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def previous_quarter_start(day: date) -> date:
    return quarter_start(quarter_start(day) - timedelta(days=1))
