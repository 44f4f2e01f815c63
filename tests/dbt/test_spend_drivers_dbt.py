"""rpt_spend_drivers through dbt on a small pinned bill: a volume spike, a price rise, a new and a
disappeared line, a charge without quantity, unattributed spend and a second currency. Every figure is
recomputed here from the same rows with the documented rule."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from tests.dbt_build import dbt_build

FIRST, LAST = date(2026, 2, 1), date(2026, 3, 10)
SPIKE_DAY = date(2026, 3, 9)
SELECT = ["rpt_spend_drivers"]
GRAIN = ("team_id", "application_id", "provider", "model_id", "billing_currency")
TOLERANCE = Decimal("0.000001")


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def bill() -> list[dict]:
    """One row per day and line: (team, app, provider, model, currency, token type, category)."""
    rows = []

    def add(day, team, app, model, token_type, quantity, unit_price, **extra):
        rows.append(
            {
                "usage_date": day,
                "cost_kind": extra.get("cost_kind", "invoiced"),
                "charge_category": extra.get("charge_category", "Usage"),
                "provider": extra.get("provider", "openai"),
                "model_id": model,
                "token_type": token_type,
                "pricing_tier": extra.get("tier", "default"),
                "application_id": app,
                "team_id": team,
                "billed_cost": (
                    Decimal(quantity) * unit_price if quantity is not None else unit_price
                ),
                "billing_currency": extra.get("currency", "USD"),
                "consumed_quantity": quantity,
                "consumed_unit": extra.get("unit", "tokens" if quantity is not None else None),
            }
        )

    for n, day in enumerate(days(FIRST, LAST)):
        wobble = 1000 + 37 * (n % 5)
        spike = 6 if day == SPIKE_DAY else 1
        # app-a: a pure volume spike on SPIKE_DAY, input and output
        add(day, "team-a", "app-a", "gpt-x", "input", wobble * 40 * spike, Decimal("0.000002"))
        add(day, "team-a", "app-a", "gpt-x", "output", wobble * 5 * spike, Decimal("0.000008"))
        # app-a also sends a batch share of its input from SPIKE_DAY on at half the price: volume
        if day >= SPIKE_DAY:
            add(day, "team-a", "app-a", "gpt-x", "input", 4000, Decimal("0.000001"), tier="batch")
        # app-b: its unit price rises by half from SPIKE_DAY on, volume steady
        price = Decimal("0.000003") if day < SPIKE_DAY else Decimal("0.0000045")
        add(day, "team-b", "app-b", "gpt-y", "input", wobble * 20, price)
        # app-d stops on SPIKE_DAY
        if day < SPIKE_DAY:
            add(day, "team-d", "app-d", "gpt-x", "input", 3000, Decimal("0.000002"))
        # a monthly-ish purchase without quantity, unattributed
        add(day, None, None, None, "other", None, Decimal("1.25"), charge_category="Purchase")
        # a second currency
        add(day, "team-b", "app-b", "gpt-y", "input", 500, Decimal("0.00001"), currency="EUR")
        # measured cost never counts, however large
        add(day, "team-a", "app-a", "gpt-x", "input", 10**9, Decimal("1"), cost_kind="measured")
    # app-c appears on SPIKE_DAY
    add(SPIKE_DAY, "team-c", "app-c", "gpt-z", "input", 7000, Decimal("0.000004"))
    return rows


def seed(database) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            """
            create or replace table marts.fct_ai_cost_daily (
                usage_date date, cost_kind varchar, charge_category varchar, provider varchar,
                model_id varchar, token_type varchar, pricing_tier varchar,
                application_id varchar, team_id varchar,
                billed_cost decimal(38, 10), billing_currency varchar,
                consumed_quantity decimal(38, 6), consumed_unit varchar
            )
            """
        )
        columns = list(bill()[0])
        con.executemany(
            f"insert into marts.fct_ai_cost_daily ({', '.join(columns)}) "
            f"values ({', '.join('?' * len(columns))})",
            [[row[c] for c in columns] for row in bill()],
        )


def expected(period: tuple[date, date], baseline: tuple[date, date], divisor: int) -> dict:
    """The documented decomposition, summed from lines to the grain."""
    now: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 4)
    for row in bill():
        if row["cost_kind"] != "invoiced":
            continue
        line = (
            *(row[c] for c in GRAIN),
            row["token_type"],
            row["pricing_tier"],
            row["charge_category"],
        )
        quantity = row["consumed_quantity"] or 0
        if period[0] <= row["usage_date"] < period[1]:
            now[line][0] += row["billed_cost"]
            now[line][1] += quantity
        if baseline[0] <= row["usage_date"] < baseline[1]:
            now[line][2] += row["billed_cost"] / divisor
            now[line][3] += Decimal(quantity) / divisor
    out: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line, (cost, quantity, cost_before, quantity_before) in now.items():
        change = cost - cost_before
        volume = (
            cost_before * quantity / quantity_before - cost_before if quantity_before else change
        )
        target = out[line[: len(GRAIN)]]
        target["cost_current"] += cost
        target["cost_before"] += cost_before
        target["cost_change"] += change
        target["volume_effect"] += volume
        target["price_effect"] += change - volume
    return out


@pytest.fixture(scope="module")
def drivers(tmp_path_factory):
    base = tmp_path_factory.mktemp("spend_drivers")
    database = base / "warehouse.duckdb"
    seed(database)
    dbt_build(base, database, base / "landing", SELECT)
    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute("select * from marts.rpt_spend_drivers")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def rows_of(drivers, comparison: str, period_start: date) -> dict[tuple, dict]:
    return {
        tuple(r[c] for c in GRAIN): r
        for r in drivers
        if r["comparison"] == comparison and r["period_start"] == period_start
    }


def assert_matches(actual: dict[tuple, dict], wanted: dict) -> None:
    assert set(actual) == set(wanted)
    for key, figures in wanted.items():
        for measure, value in figures.items():
            assert abs(actual[key][measure] - value) <= TOLERANCE, (key, measure)
        row = actual[key]
        assert row["volume_effect"] + row["price_effect"] == row["cost_change"]


def test_the_spike_day_against_its_trailing_week(drivers):
    rows = rows_of(drivers, "day_vs_trailing_7d", SPIKE_DAY)
    wanted = expected(
        (SPIKE_DAY, SPIKE_DAY + timedelta(1)), (SPIKE_DAY - timedelta(7), SPIKE_DAY), 7
    )
    assert_matches(rows, wanted)
    spike = rows[("team-a", "app-a", "openai", "gpt-x", "USD")]
    assert spike["change_rank"] == 1
    assert spike["cost_change"] > 0 and abs(spike["price_effect"]) <= TOLERANCE  # tiers are lines
    repriced = rows[("team-b", "app-b", "openai", "gpt-y", "USD")]
    assert repriced["price_effect"] > 10 * abs(repriced["volume_effect"])
    new = rows[("team-c", "app-c", "openai", "gpt-z", "USD")]
    assert (new["volume_effect"], new["price_effect"], new["cost_before"]) == (
        Decimal("0.028"),
        0,
        0,
    )
    gone = rows[("team-d", "app-d", "openai", "gpt-x", "USD")]
    assert gone["cost_current"] == 0 and gone["volume_effect"] == -Decimal("0.006")
    assert gone["price_effect"] == 0
    # the purchase without quantity: flat, all volume, unattributed
    assert rows[(None, None, "openai", None, "USD")]["cost_change"] == 0
    # the bill's change is the sum of its drivers, per currency
    total = sum(r["cost_change"] for k, r in rows.items() if k[-1] == "USD")
    assert all(r["period_cost_change"] == total for k, r in rows.items() if k[-1] == "USD")


def test_a_month_in_progress_against_the_same_days_of_the_month_before(drivers):
    rows = rows_of(drivers, "month_over_month", date(2026, 3, 1))
    wanted = expected((date(2026, 3, 1), LAST + timedelta(1)), (FIRST, date(2026, 2, 11)), 1)
    assert_matches(rows, wanted)
    first = next(r for r in rows.values())
    assert (first["period_end"], first["baseline_end"]) == (LAST + timedelta(1), date(2026, 2, 11))
    # February has no month before it in the data: no comparison
    assert not rows_of(drivers, "month_over_month", FIRST)


def test_week_over_week_uses_iso_weeks(drivers):
    monday = SPIKE_DAY - timedelta(SPIKE_DAY.weekday())
    rows = rows_of(drivers, "week_over_week", monday)
    end = min(monday + timedelta(7), LAST + timedelta(1))
    length = (end - monday).days
    wanted = expected((monday, end), (monday - timedelta(7), monday - timedelta(7 - length)), 1)
    assert_matches(rows, wanted)
    assert {r["comparison"] for r in drivers} == {
        "day_vs_trailing_7d",
        "week_over_week",
        "month_over_month",
    }
    # no day compared without a whole trailing week
    assert min(r["period_start"] for r in drivers if r["comparison"] == "day_vs_trailing_7d") == (
        FIRST + timedelta(7)
    )


def test_the_published_suite_passes_on_the_result(drivers):
    import pandas as pd

    from quality.gx import validate_dataframe

    outcome = validate_dataframe("rpt_spend_drivers", pd.DataFrame(drivers))
    assert outcome.success, outcome.failures
