"""A daily run re-rates the provider rows of its window and the gateway rows only from the first
re-landed day that changed (`rated_min_date`), unless the prices changed since those rows were
rated: then the whole window is rated again (dbt_project/macros/rating_window.sql).

Rows the run must keep are marked by adding a dollar to their stored cost: a run that rated them
again would write the catalog's price back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.dbt.test_rated_cost_dbt import (
    MID_MONTH_OVERRIDE,
    SELECT,
    land_governance,
    land_pinned,
)
from tests.dbt_build import dbt_build

FIRST, SECOND, NEW = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)
WINDOW = {"min_date": "2026-01-01", "max_date": "2026-01-04"}
MARK = Decimal(1)


def add_gateway_days(database: Path) -> None:
    """The pinned 2026-01-01 requests of the LiteLLM gateway again on the next two days."""
    with duckdb.connect(str(database)) as con:
        for day in (SECOND, NEW):
            con.execute(
                """
                insert into intermediate.int_litellm_requests
                select * replace (cast(? as date) as usage_date, request_id || '-' || ? as request_id)
                from intermediate.int_litellm_requests where usage_date = '2026-01-01'
                """,
                [day, day.isoformat()],
            )


def mark_rows(database: Path) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute(
            """
            update intermediate.int_usage_rated
            set rated_cost = rated_cost + ?, rated_input_cost = rated_input_cost + ?
            where rated_cost is not null
            """,
            [MARK, MARK],
        )


def costs(database: Path) -> dict[tuple[date, bool], Decimal]:
    """Rated cost per day, gateway rows apart from provider rows."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            """
            select usage_date, is_gateway, sum(rated_cost), count(*)
            from intermediate.int_usage_rated
            where usage_date between '2026-01-01' and '2026-01-03'
            group by all
            """
        ).fetchall()
    return {(day, gateway): (cost, count) for day, gateway, cost, count in rows}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    """The rated costs after each run: straight, kept, unchanged and repriced."""
    base = tmp_path_factory.mktemp("gateway_rating_window")
    landing, database, governance = land_pinned(base)
    add_gateway_days(database)
    found = {}
    dbt_build(base, database, landing, SELECT)
    found["straight"] = costs(database)

    def run(name: str, rated_min_date: str) -> None:
        mark_rows(database)
        dbt_vars = {**WINDOW, "landed_min_date": "2026-01-03", "rated_min_date": rated_min_date}
        dbt_build(base, database, landing, SELECT, dbt_vars=dbt_vars)
        found[name] = costs(database)

    run("new_day_changed", "2026-01-03")
    run("nothing_changed", "2026-01-04")
    (governance / "price_overrides.yml").write_text(MID_MONTH_OVERRIDE)
    land_governance(landing, governance)
    run("prices_changed", "2026-01-03")
    return found


def test_the_window_holds_gateway_and_provider_rows_on_every_day(runs):
    straight = runs["straight"]
    assert {key for key in straight if key[1]} == {(FIRST, True), (SECOND, True), (NEW, True)}
    # the same requests each day, at the same prices
    assert straight[FIRST, True] == straight[SECOND, True] == straight[NEW, True]
    assert straight[FIRST, True][0] > 0


def test_only_the_changed_gateway_days_are_rated_again(runs):
    straight, after = runs["straight"], runs["new_day_changed"]
    gateway_rows = straight[FIRST, True][1]
    # kept: the mark is still there; no row doubled
    assert after[FIRST, True] == (straight[FIRST, True][0] + MARK * gateway_rows, gateway_rows)
    assert after[SECOND, True] == (straight[SECOND, True][0] + MARK * gateway_rows, gateway_rows)
    # rated again: the new day and every provider row of the window
    assert after[NEW, True] == straight[NEW, True]
    assert {k: v for k, v in after.items() if not k[1]} == {
        k: v for k, v in straight.items() if not k[1]
    }


def test_no_changed_day_rates_no_gateway_row(runs):
    before, after = runs["new_day_changed"], runs["nothing_changed"]
    for day in (FIRST, SECOND, NEW):
        cost, count = before[day, True]
        assert after[day, True] == (cost + MARK * count, count)


def test_changed_prices_rate_the_whole_window_again(runs):
    straight, after = runs["straight"], runs["prices_changed"]
    # the override names an OpenAI model: the gateway's Gemini requests cost what they did, and
    # every mark is gone
    for day in (FIRST, SECOND, NEW):
        assert after[day, True] == straight[day, True]
    assert {k: v for k, v in after.items() if not k[1]} == {
        k: v for k, v in straight.items() if not k[1]
    }
