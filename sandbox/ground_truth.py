"""What the sandbox served, summed on the warehouse's canonical measures: the figures published
tables must equal, per provider."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

MEASURES = (
    "request_count",
    "input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
)


def empty_totals() -> dict:
    """Canonical totals: tokens inclusive (input includes cache reads and writes), money as text."""
    return {
        "usage": dict.fromkeys(MEASURES, 0),
        "invoiced_cost_usd": "0",
        "measured_cost_usd": "0",
    }


def days(start: date, end: date, as_of: datetime) -> list[date]:
    """Complete days in [start, end) before the sandbox's clock."""
    count = max(0, (min(end, as_of.date()) - start).days)
    return [start + timedelta(days=i) for i in range(count)]


class SensitiveCounts(Counter):
    """Requests whose kept prompt or completion text holds an entity type, by
    (application id, provider, day, entity type): what rpt_observed_sensitive_data must publish."""
