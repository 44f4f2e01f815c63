"""Expectation types Great Expectations has no built-in for, evaluated next to its own.

A suite names them like any other (`"type": "aiuw_expect_..."`, `"kwargs": {...}`); each function
here takes the frame and the kwargs and answers with a RuleResult shaped like a GX result: success,
unexpected count, example rows and an observed value that is stored even when the rule passes.
Money stays Decimal: sums and baselines are computed on Decimal values, never on floats.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd

EXAMPLES = 5


@dataclass
class RuleResult:
    success: bool
    unexpected_count: int
    examples: list[Any] = field(default_factory=list)
    observed: dict[str, Any] = field(default_factory=dict)


def _decimal(value: Any) -> Decimal:
    if value is None or (isinstance(value, float) and value != value):
        return Decimal(0)
    if pd.isna(value):
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, pd.Timestamp | date):
        return value.date().isoformat() if isinstance(value, pd.Timestamp) else value.isoformat()
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return None if _missing(value) else value


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _rows(frame: pd.DataFrame, columns: list[str] | None) -> list[dict[str, Any]]:
    chosen = frame[[c for c in (columns or list(frame.columns)) if c in frame.columns]]
    return [
        {k: _plain(v) for k, v in row.items()} for row in chosen.head(EXAMPLES).to_dict("records")
    ]


def _where(frame: pd.DataFrame, row_condition: str | None) -> pd.DataFrame:
    return frame.query(row_condition, engine="python") if row_condition else frame


def _as_date(value: Any) -> date:
    return pd.Timestamp(value).date()


def daily_value_within_trailing_bounds(
    frame: pd.DataFrame,
    *,
    date_column: str,
    sum_column: str | None = None,
    row_condition: str | None = None,
    latest_days: int = 1,
    trailing_days: int = 28,
    min_history_days: int = 14,
    statistic: str = "median",
    same_weekday: bool = False,
    min_ratio: float | str | None = None,
    max_ratio: float | str | None = None,
) -> RuleResult:
    """Each of the newest `latest_days` days' row count (or sum of `sum_column`) lies between
    min_ratio and max_ratio times the median (or mean) of the `trailing_days` days before it (only
    those of its weekday with `same_weekday`, so a Sunday is compared with Sundays). Days without
    rows count as zero. A day with under `min_history_days` of history is not judged."""
    if statistic not in ("median", "mean"):
        raise ValueError(f"statistic must be median or mean, not {statistic!r}")
    rows = _where(frame, row_condition)
    if rows.empty:
        return RuleResult(True, 0, observed={"days": []})
    days = rows[date_column].map(_as_date)
    if sum_column:
        values = rows[sum_column].map(_decimal).groupby(days).apply(lambda s: sum(s, Decimal(0)))
    else:
        values = days.value_counts()
    daily = {d: _decimal(v) for d, v in values.items()}
    first, last = min(daily), max(daily)
    low = Decimal(str(min_ratio)) if min_ratio is not None else None
    high = Decimal(str(max_ratio)) if max_ratio is not None else None
    judged, outside = [], []
    for offset in range(latest_days - 1, -1, -1):
        day = last - timedelta(days=offset)
        if day < first or (day - first).days < min_history_days:
            continue
        window = [
            daily.get(day - timedelta(days=n), Decimal(0))
            for n in range(1, trailing_days + 1)
            if day - timedelta(days=n) >= first and (not same_weekday or n % 7 == 0)
        ]
        if not window:
            continue
        baseline = statistics.median(window) if statistic == "median" else sum(window) / len(window)
        value = daily.get(day, Decimal(0))
        entry = {
            "date": day.isoformat(),
            "value": _plain(value),
            f"trailing_{statistic}": _plain(Decimal(baseline)),
            "lower": _plain(low * baseline) if low is not None else None,
            "upper": _plain(high * baseline) if high is not None else None,
        }
        judged.append(entry)
        if (low is not None and value < low * baseline) or (
            high is not None and value > high * baseline
        ):
            outside.append(entry)
    return RuleResult(not outside, len(outside), outside[:EXAMPLES], {"days": judged})


def tokens_priced_or_explained(
    frame: pd.DataFrame,
    *,
    token_columns: list[str],
    cost_column: str,
    status_column: str,
    explaining_statuses: list[str],
    example_columns: list[str] | None = None,
) -> RuleResult:
    """Rows with tokens whose cost is missing or zero carry a status that says why."""
    tokens = sum((frame[c].fillna(0) for c in token_columns), pd.Series(0, index=frame.index))
    cost = frame[cost_column].map(lambda v: None if _missing(v) else _decimal(v))
    unexplained = frame[
        (tokens > 0)
        & cost.map(lambda v: v is None or v == 0)
        & ~frame[status_column].isin(explaining_statuses)
    ]
    return RuleResult(
        unexplained.empty,
        len(unexplained),
        _rows(unexplained, example_columns),
        {"rows_with_tokens": int((tokens > 0).sum()), "unexplained_rows": len(unexplained)},
    )


def weighted_share_to_be_between(
    frame: pd.DataFrame,
    *,
    flag_column: str,
    weight_column: str,
    flag_value: bool = True,
    min_value_pct: float | str | None = None,
    max_value_pct: float | str | None = None,
    row_condition: str | None = None,
    date_column: str | None = None,
    latest_days: int | None = None,
    example_columns: list[str] | None = None,
) -> RuleResult:
    """The share (percent) of |weight| on rows whose flag equals `flag_value` is within bounds: over
    the whole frame, or per day for the newest `latest_days` days. Rows without a flag are left out."""
    rows = _where(frame, row_condition)
    rows = rows[rows[flag_column].notna()]
    low = Decimal(str(min_value_pct)) if min_value_pct is not None else None
    high = Decimal(str(max_value_pct)) if max_value_pct is not None else None
    if date_column:
        days = rows[date_column].map(_as_date)
        newest = sorted(set(days))[-latest_days:] if latest_days else sorted(set(days))
        groups = [(d.isoformat(), rows[days == d]) for d in newest]
    else:
        groups = [("all", rows)]
    judged, outside, flagged_rows = [], [], []
    for label, group in groups:
        weights = group[weight_column].map(lambda v: abs(_decimal(v)))
        flagged = group[flag_column].astype(bool) == flag_value
        total = sum(weights, Decimal(0))
        share = (sum(weights[flagged], Decimal(0)) * 100 / total) if total else None
        entry = {
            "group": label,
            "share_pct": _plain(share.quantize(Decimal("0.01"))) if share is not None else None,
            "flagged_rows": int(flagged.sum()),
            "rows": len(group),
            "flagged_weight": _plain(sum(weights[flagged], Decimal(0))),
            "total_weight": _plain(total),
        }
        judged.append(entry)
        if share is not None and (
            (low is not None and share < low) or (high is not None and share > high)
        ):
            outside.append(entry)
        flagged_rows.append(group[flagged].assign(_weight=weights[flagged]))
    flagged_all = pd.concat(flagged_rows) if flagged_rows else rows.iloc[0:0]
    heaviest = (
        flagged_all.sort_values("_weight", ascending=False) if len(flagged_all) else flagged_all
    )
    return RuleResult(
        not outside,
        len(outside),
        outside[:EXAMPLES],
        {"groups": judged, "heaviest_flagged_rows": _rows(heaviest, example_columns)},
    )


def dates_not_in_the_future(
    frame: pd.DataFrame, *, column: str, today: str | None = None
) -> RuleResult:
    """No UTC day after today (`today`, ISO, for tests; the real UTC date otherwise): a future day
    is a clock or parsing error, never usage."""
    limit = date.fromisoformat(today) if today else datetime.now(UTC).date()
    days = _as_days(frame[column].dropna())
    late = days[days > pd.Timestamp(limit)]
    future = sorted(set(late.dt.date))
    return RuleResult(
        success=not future,
        unexpected_count=len(late),
        examples=[day.isoformat() for day in future[:EXAMPLES]],
        observed={
            "latest": days.max().date().isoformat() if len(days) else None,
            "today": limit.isoformat(),
        },
    )


def _as_days(values: pd.Series) -> pd.Series:
    """Midnight of each value's own calendar day (as `_as_date` gives it), column-wise."""
    stamps = pd.to_datetime(values, format="ISO8601")
    if stamps.dt.tz is not None:
        stamps = stamps.dt.tz_localize(None)
    return stamps.dt.normalize()


RULES: dict[str, Callable[..., RuleResult]] = {
    "aiuw_expect_daily_value_within_trailing_bounds": daily_value_within_trailing_bounds,
    "aiuw_expect_tokens_priced_or_explained": tokens_priced_or_explained,
    "aiuw_expect_weighted_share_to_be_between": weighted_share_to_be_between,
    "aiuw_expect_dates_not_in_the_future": dates_not_in_the_future,
}


def evaluate(expectation_type: str, frame: pd.DataFrame, kwargs: dict[str, Any]) -> RuleResult:
    rule = RULES.get(expectation_type)
    if rule is None:
        raise ValueError(
            f"unknown expectation type {expectation_type!r}: aiuw_ types are "
            f"{', '.join(sorted(RULES))} (quality/gx_rules.py)"
        )
    try:
        return rule(frame, **kwargs)
    except TypeError as error:
        raise ValueError(f"{expectation_type}: bad kwargs {sorted(kwargs)}: {error}") from error
