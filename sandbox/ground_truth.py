"""What the sandbox served, summed: the figures published tables must equal."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sandbox.activity import Activity


def ground_truth(activity: Activity, start: date, end: date, as_of: datetime) -> dict:
    """Totals of usage and billed cost for days in [start, end), as the API shows them at `as_of`."""
    usage = {
        "request_count": 0,
        "input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation_input_tokens": 0,
        "output_tokens": 0,
    }
    cost = Decimal(0)
    by_day = []
    day = start
    while day < end:
        if day < as_of.date():
            day_cost = sum((c.amount_usd for c in activity.costs_as_of(day, as_of)), Decimal(0))
            day_tokens = 0
            for r in activity.usage(day):
                usage["request_count"] += r.num_model_requests
                usage["input_tokens"] += r.input_tokens
                usage["cache_read_input_tokens"] += r.input_cached_tokens
                usage["cache_creation_input_tokens"] += r.input_cache_write_tokens
                usage["output_tokens"] += r.output_tokens
                day_tokens += r.input_tokens + r.output_tokens
            cost += day_cost
            by_day.append(
                {"date": day.isoformat(), "cost_usd": str(day_cost), "tokens": day_tokens}
            )
        day += timedelta(days=1)
    return {
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "as_of": as_of.isoformat(),
        "usage": usage,
        "cost_usd": str(cost),
        "by_day": by_day,
    }
