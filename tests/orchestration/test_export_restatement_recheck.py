"""Billing exports restated after their month left the refresh window: the sandbox's CUR 2.0 and Azure
FOCUS exports show the last days of September provisional on October 2nd and final later. A daily
pull weeks later re-checks September's daily totals in the export, re-lands September whole (the
exports restate whole months) exactly once per row, and the next pull finds nothing to re-land."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.defs.ingest.aws_cur import assets as cur_assets
from orchestration.defs.ingest.azure_focus import assets as focus_assets
from orchestration.lib.ingest import Entity, land_entity
from orchestration.lib.partitions import RefreshWindow, whole_months
from orchestration.lib.restatements import EXACT, BilledTotals, landed_total
from orchestration.lib.sources import sources_config
from sandbox.activity import Activity
from sandbox.enterprise import Enterprise
from sandbox.providers import aws_bedrock, azure_openai
from warehouse.paths import Paths

HISTORY_START = date(2026, 9, 1)
BACKFILL = RefreshWindow(HISTORY_START, date(2026, 10, 2))
DAILY = RefreshWindow(date(2026, 10, 18), date(2026, 10, 21))
SEPTEMBER = RefreshWindow(HISTORY_START, date(2026, 10, 1))
EXPORTS = {
    "aws_cur": (aws_bedrock, cur_assets, "bedrock_line_items", "identity_line_item_id"),
    "azure_focus": (azure_openai, focus_assets, "cost_rows", None),
}


def at(day: date) -> datetime:
    return datetime.combine(day, time(6), UTC)


def pull(source_type: str, window: RefreshWindow, paths: Paths, messages: list[str]):
    _provider, module, entity_name, _key = EXPORTS[source_type]
    entity = next(e for e in module.ENTITIES if e.name == entity_name)
    return land_entity(
        source_type,
        entity,
        sources_config().of_type(source_type)[0],
        window,
        paths,
        module.open_client,
        history_start=HISTORY_START,
        log=messages.append,
    )


@pytest.mark.parametrize("source_type", sorted(EXPORTS))
def test_a_restated_month_is_re_landed_whole_by_the_next_daily_pull(
    source_type, data_dir, tmp_path, monkeypatch
):
    provider_module, module, entity_name, key = EXPORTS[source_type]
    entity = next(e for e in module.ENTITIES if e.name == entity_name)
    enterprise = Enterprise()
    clock = {"now": at(BACKFILL.end)}
    provider = provider_module.build(enterprise, Activity(enterprise), lambda: clock["now"], {})
    paths = Paths.from_env()
    directory = paths.landing / source_type / entity_name

    def write_exports(as_of: datetime) -> None:
        clock["now"] = as_of
        env = provider.write_exports(tmp_path / "exports", HISTORY_START, DAILY.end, as_of)
        for name, value in env.items():
            monkeypatch.setenv(name, value)

    write_exports(at(BACKFILL.end))  # September's last days are still provisional
    pull(source_type, BACKFILL, paths, [])
    (landed_dir,) = [p for p in directory.iterdir() if p.is_dir()]
    columns = entity.billed_totals.columns
    provisional = sum(
        landed_total(landed_dir / f"{d}.parquet", columns) or 0 for d in SEPTEMBER.days()
    )

    write_exports(at(DAILY.end))
    messages: list[str] = []
    landed = pull(source_type, DAILY, paths, messages)

    landed_days = [d.day for d in landed]
    assert landed_days == sorted(landed_days) and len(set(landed_days)) == len(landed_days)
    assert set(SEPTEMBER.days()) <= set(landed_days)  # the whole month, restated or not
    assert any("billed totals changed since landing" in m for m in messages), messages
    final = sum(landed_total(landed_dir / f"{d}.parquet", columns) or 0 for d in SEPTEMBER.days())
    truth = provider.ground_truth(SEPTEMBER.start, SEPTEMBER.end, clock["now"])
    assert final == Decimal(truth["invoiced_cost_usd"]) > provisional
    if key:  # no row landed twice although two fetches covered September
        ids = [
            i
            for d in SEPTEMBER.days()
            for i in pq.read_table(landed_dir / f"{d}.parquet", columns=[key])
            .column(key)
            .to_pylist()
        ]
        assert len(ids) == len(set(ids)) > 0

    before = {p.name: p.read_bytes() for p in landed_dir.glob("2026-09-*.parquet")}
    messages.clear()
    again = pull(source_type, DAILY, paths, messages)
    assert messages == [] and min(d.day for d in again) == DAILY.start.replace(day=1)
    assert {p.name: p.read_bytes() for p in landed_dir.glob("2026-09-*.parquet")} == before


def test_two_restated_days_of_one_month_land_each_row_once(data_dir):
    """Two restated days apart make two fetches of the same whole month: each row lands once."""
    september = SEPTEMBER.days()
    billed = {day: Decimal(1) for day in september}

    def rows(window: RefreshWindow):
        return (
            {"id": f"{day}", "day": day, "cost": str(billed[day])}
            for day in whole_months(window)
            if day in billed
        )

    entity = Entity(
        "rows",
        "test rows",
        pa.schema([("id", pa.string()), ("day", pa.date32()), ("cost", pa.string())]),
        lambda _client, window: rows(window),
        lambda record: record["day"],
        whole_months,
        billed_totals=BilledTotals(
            lambda _client, window: {d: billed[d] for d in window.days() if d in billed},
            columns=("cost",),
            tolerance=EXACT,
        ),
    )
    source = sources_config().of_type("azure_focus")[0]
    paths = Paths.from_env()

    def land(window: RefreshWindow, messages: list[str]):
        return land_entity(
            "azure_focus",
            entity,
            source,
            window,
            paths,
            lambda _source: nullcontext(None),
            history_start=HISTORY_START,
            log=messages.append,
        )

    land(SEPTEMBER, [])
    billed[date(2026, 9, 5)] = billed[date(2026, 9, 20)] = Decimal(2)
    messages: list[str] = []
    landed = land(RefreshWindow(date(2026, 10, 3), date(2026, 10, 5)), messages)
    assert "2026-09-05, 2026-09-20" in messages[0]
    assert [d.day for d in landed if d.day.month == 9] == september
    directory = paths.landing / "azure_focus" / "rows" / source.id
    for day in september:
        ids = pq.read_table(directory / f"{day}.parquet").column("id").to_pylist()
        assert ids == [f"{day}"], day
