"""Billed days restated long after they left the refresh window, over real HTTP against the sandbox:
a daily pull re-checks the ungrouped daily totals of the open and the previous month, re-lands only
the days whose total changed (OpenAI dollars as JSON numbers, Anthropic cents as decimal strings),
and leaves every other landed file byte for byte."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import httpx
import pytest

from orchestration.defs.ingest.anthropic import assets as anthropic_assets
from orchestration.defs.ingest.openai import assets as openai_assets
from orchestration.lib.ingest import land_entity
from orchestration.lib.partitions import RefreshWindow
from orchestration.lib.restatements import landed_total, recheck_window, spans
from orchestration.lib.sources import sources_config
from sandbox.activity import SETTLEMENT_DAYS
from warehouse.paths import Paths

HISTORY_START = date(2026, 9, 1)
BACKFILL = RefreshWindow(HISTORY_START, date(2026, 10, 10))
DAILY = RefreshWindow(date(2026, 10, 18), date(2026, 10, 21))  # weeks later, a 3-day window
LATE = {"openai": (date(2026, 9, 12), "-37.29"), "anthropic": (date(2026, 10, 2), "-7.69")}
SOURCES = {"openai": openai_assets, "anthropic": anthropic_assets}


def costs_entity(module):
    return next(e for e in module.ENTITIES if e.name == "costs")


def pull(provider, window, paths, messages):
    module = SOURCES[provider]
    source = sources_config().of_type(provider)[0]
    return land_entity(
        provider,
        costs_entity(module),
        source,
        window,
        paths,
        module.open_client,
        history_start=HISTORY_START,
        log=messages.append,
    )


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_late_restatement_is_re_landed_by_the_next_daily_pull(provider, sandbox, data_dir):
    paths = Paths.from_env()
    entity = costs_entity(SOURCES[provider])
    directory = paths.landing / provider / "costs" / f"{provider}_test"
    sandbox.state.as_of = datetime.combine(BACKFILL.end, time(6), UTC)
    pull(provider, BACKFILL, paths, [])
    before = {p.name: p.read_bytes() for p in directory.glob("*.parquet")}
    day, amount = LATE[provider]
    landed_before = landed_total(directory / f"{day}.parquet", entity.billed_totals.columns)

    sandbox.state.as_of = datetime.combine(DAILY.end, time(6), UTC)
    httpx.post(
        f"{sandbox.url}/_sandbox/restate",
        json={"provider": provider, "date": day.isoformat(), "amount_usd": amount},
    ).raise_for_status()
    messages: list[str] = []
    landed = pull(provider, DAILY, paths, messages)

    # the window's days and the restated day; so are the backfill's provisional days, settled
    # since, and the days between (never landed, their totals not zero)
    provisional = [d for d in BACKFILL.days() if d + timedelta(days=SETTLEMENT_DAYS) > BACKFILL.end]
    gap = RefreshWindow(BACKFILL.end, DAILY.start).days()
    assert len(provisional) == SETTLEMENT_DAYS - 1
    assert [d.day for d in landed] == sorted([day, *provisional, *gap, *DAILY.days()])
    unit = Decimal(100) if provider == "anthropic" else Decimal(1)
    restated = landed_total(directory / f"{day}.parquet", entity.billed_totals.columns)
    assert restated - landed_before == Decimal(amount) * unit
    truth = sandbox.state.provider(provider).ground_truth(
        day, date.fromordinal(day.toordinal() + 1), sandbox.state.now()
    )
    assert restated / unit == Decimal(truth["invoiced_cost_usd"])
    after = {p.name: p.read_bytes() for p in directory.glob("*.parquet")}
    relanded = {f"{d}.parquet" for d in [day, *provisional]}
    unchanged = {n for n in before if n not in relanded}
    assert len(unchanged) == len(before) - len(relanded) > 30
    assert {n: after[n] for n in unchanged} == {n: before[n] for n in unchanged}
    assert any(day.isoformat() in m and "re-landing" in m for m in messages)

    # the next pull finds nothing more to re-land
    messages.clear()
    again = pull(provider, DAILY, paths, messages)
    assert [d.day for d in again] == DAILY.days() and messages == []


def test_the_recheck_covers_the_open_and_the_previous_month_from_history_start():
    assert recheck_window(DAILY, HISTORY_START) == RefreshWindow(date(2026, 9, 1), DAILY.start)
    assert recheck_window(RefreshWindow(date(2026, 12, 3), date(2026, 12, 5)), HISTORY_START) == (
        RefreshWindow(date(2026, 11, 1), date(2026, 12, 3))
    )
    assert (
        recheck_window(BACKFILL, HISTORY_START) is None
    )  # a backfill from history_start pulls all
    days = [date(2026, 9, 2), date(2026, 9, 3), date(2026, 9, 7)]
    assert spans(days) == [
        RefreshWindow(date(2026, 9, 2), date(2026, 9, 4)),
        RefreshWindow(date(2026, 9, 7), date(2026, 9, 8)),
    ]
