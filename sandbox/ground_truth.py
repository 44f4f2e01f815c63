"""What the sandbox served, summed on the warehouse's canonical measures: the figures published
tables must equal, per provider."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sandbox.activity import Activity

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


def openai_totals(activity: Activity, start: date, end: date, as_of: datetime) -> dict:
    totals = empty_totals()
    usage = totals["usage"]
    cost = Decimal(0)
    for day in days(start, end, as_of):
        cost += sum((c.amount_usd for c in activity.costs_as_of(day, as_of)), Decimal(0))
        for r in activity.usage(day):
            usage["request_count"] += r.num_model_requests
            usage["input_tokens"] += r.input_tokens
            usage["cache_read_input_tokens"] += r.input_cached_tokens
            usage["cache_creation_input_tokens"] += r.input_cache_write_tokens
            usage["output_tokens"] += r.output_tokens
    totals["invoiced_cost_usd"] = str(cost)
    return totals
