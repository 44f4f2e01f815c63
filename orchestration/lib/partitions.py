"""Daily UTC partitions for the ingest, and every rule that widens the days a run covers, in one
place: the refresh window (the run's days plus `restatement_days`), the days each restating export
rewrites (whole billing months, late updates), and the transform window derived from them. The
transform is not partitioned: its run carries the days it covers as two tags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import dagster as dg

from connectors.config import SourcesConfig


def daily_partitions(config: SourcesConfig) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(
        start_date=config.warehouse.history_start.isoformat(), timezone="UTC"
    )


@dataclass(frozen=True)
class RefreshWindow:
    """Days [start, end) a run pulls and rebuilds: the partition range widened by restatement days."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time(), UTC)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days)]

    def dbt_vars(self) -> dict[str, str]:
        return {"min_date": self.start.isoformat(), "max_date": self.end.isoformat()}


def refresh_window(
    partition_start: datetime, partition_end: datetime, config: SourcesConfig
) -> RefreshWindow:
    start = partition_start.astimezone(UTC).date() - timedelta(
        days=config.warehouse.restatement_days
    )
    return RefreshWindow(
        max(start, config.warehouse.history_start), partition_end.astimezone(UTC).date()
    )


# Days a Cloud Billing export keeps revising after they happened (late usage, restated cost, credits).
GCP_LATE_UPDATE_DAYS = 5


def billing_month_to_date(window: RefreshWindow) -> list[date]:
    """AWS CUR: Data Exports rewrite the current month's files until the invoice closes, so every
    day from the first of the window's first month to the window's last day."""
    first = window.start.replace(day=1)
    return [first + timedelta(days=i) for i in range((window.end - first).days)]


def whole_months(window: RefreshWindow) -> list[date]:
    """Azure FOCUS: every export run restates its whole month, so every day of every month
    overlapping the window."""
    first = window.start.replace(day=1)
    last = (window.end - timedelta(days=1)).replace(day=1)
    end = (last + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=i) for i in range((end - first).days)]


def with_late_updates(window: RefreshWindow) -> list[date]:
    """GCP Cloud Billing: the window's days and the GCP_LATE_UPDATE_DAYS before it."""
    start = window.start - timedelta(days=GCP_LATE_UPDATE_DAYS)
    return [start + timedelta(days=i) for i in range((window.end - start).days)]


# The transform run's tag naming the ingest run it follows (set by the sensors and the CLI).
INGEST_RUN_TAG = "aiuw/ingest_run_id"

# Sources that restate (billing exports rewrite their month; some revisit a few days back) land more
# than the refresh window; the transform rebuilds from the start of that month so marts follow.
LATE_DATA_DAYS = 7


def transform_window(
    refresh: RefreshWindow, config: SourcesConfig, relanded_from: date | None = None
) -> RefreshWindow:
    """Days the dbt run rebuilds: from the first of the month holding the earliest day any source
    rewrote (`relanded_from`: the earliest day the ingest run before it landed, restated days
    found before its window included)."""
    earliest = refresh.start - timedelta(days=LATE_DATA_DAYS)
    if relanded_from:
        earliest = min(earliest, relanded_from)
    return RefreshWindow(max(earliest.replace(day=1), config.warehouse.history_start), refresh.end)


def earliest_day_landed(instance: dg.DagsterInstance, ingest_run_id: str | None) -> date | None:
    """The earliest day any ingest asset of that run landed (its `earliest_day_landed` metadata)."""
    if not ingest_run_id:
        return None
    records = instance.get_records_for_run(
        ingest_run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    days = [
        date.fromisoformat(value.value)
        for record in records
        if (
            value := record.event_log_entry.asset_materialization.metadata.get(
                "earliest_day_landed"
            )
        )
    ]
    return min(days, default=None)


def window_of(
    context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext, config: SourcesConfig
) -> RefreshWindow:
    tw = context.partition_time_window
    return refresh_window(tw.start, tw.end, config)


# The first and last day (inclusive, YYYY-MM-DD) a transform run covers. The sensors copy them from
# the ingest run's partitions, the CLI sets them, and a run launched without them covers yesterday.
WINDOW_START_TAG = "aiuw/window_start"
WINDOW_END_TAG = "aiuw/window_end"
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def window_tags(first: date, last: date) -> dict[str, str]:
    return {WINDOW_START_TAG: first.isoformat(), WINDOW_END_TAG: last.isoformat()}


def partition_days(tags: Mapping[str, str]) -> tuple[date, date] | None:
    """The first and last day of a partitioned (ingest) run, from Dagster's partition tags."""
    if tags.get(PARTITION_TAG):
        day = date.fromisoformat(tags[PARTITION_TAG])
        return day, day
    if tags.get(RANGE_START_TAG) and tags.get(RANGE_END_TAG):
        return date.fromisoformat(tags[RANGE_START_TAG]), date.fromisoformat(tags[RANGE_END_TAG])
    return None


def days_of_run(tags: Mapping[str, str], today: date) -> tuple[date, date]:
    """The first and last day a transform run covers: its window tags, else yesterday (UTC)."""
    start, end = tags.get(WINDOW_START_TAG), tags.get(WINDOW_END_TAG)
    if not start and not end:
        yesterday = today - timedelta(days=1)
        return yesterday, yesterday
    try:
        first, last = date.fromisoformat(start or end), date.fromisoformat(end or start)
    except ValueError:
        raise ValueError(
            f"run tags {WINDOW_START_TAG}={start!r} and {WINDOW_END_TAG}={end!r}: each must be a day "
            "as YYYY-MM-DD (the first and last day the run covers); fix the tags and launch again"
        ) from None
    if last < first:
        raise ValueError(
            f"run tags: {WINDOW_END_TAG} {last} is before {WINDOW_START_TAG} {first}; "
            "swap them and launch again"
        )
    return first, last


def run_window(tags: Mapping[str, str], config: SourcesConfig, today: date) -> RefreshWindow:
    """A transform run's refresh window: its days widened by the restatement days."""
    first, last = days_of_run(tags, today)
    return refresh_window(
        datetime.combine(first, time(), UTC),
        datetime.combine(last + timedelta(days=1), time(), UTC),
        config,
    )


def run_transform_window(
    instance: dg.DagsterInstance, tags: Mapping[str, str], config: SourcesConfig, today: date
) -> tuple[RefreshWindow, RefreshWindow]:
    """A transform run's refresh window (its days and the restatement days) and the window dbt
    rebuilds (from the month of the earliest day its ingest run re-landed)."""
    refresh = run_window(tags, config, today)
    relanded_from = earliest_day_landed(instance, tags.get(INGEST_RUN_TAG))
    return refresh, transform_window(refresh, config, relanded_from)
