"""Closed books through dbt on the chargeback fixture (test_chargeback_dbt): August closes and is
booked from the published release; then the provider restates August's bill and an August invoice
line moves to another application. August's published lines stay exactly as booked, the differences
are charged in September (the open month) with their reasons and listed as restatements, and a
release whose closed month differs from the one before (edited books) is caught."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.dbt.test_chargeback_dbt import (
    AUG,
    COSTS,
    SELECT,
    SEP,
    TABLES,
    cost_row,
    cost_tables,
    to_the_cent,
    write_fixture,
)
from tests.dbt_build import ROOT, dbt_build
from warehouse.books import (
    book_closed_months,
    book_path,
    booked_months,
    closed_month_changes,
    mart_schema,
)

LATE_CHARGE = cost_row(date(2026, 8, 21), "openai", "p1", "k1", "gpt-4.1", "app-a", "5.0000000002")
# August's EUR invoice line, first on app-a, later on app-b: the same total, another team
MOVED = next(c for c in COSTS if c["billing_currency"] == "EUR")
MOVED_AFTER = cost_row(
    MOVED["usage_date"], "openai", "p1", "k1", "gpt-4.1", "app-b", "20.00", "EUR"
)


def release_of(database: Path, directory: Path) -> Path:
    """What the publish step writes for the chargeback mart: main.rpt_chargeback_monthly."""
    directory.mkdir(parents=True)
    release = directory / "warehouse.duckdb"
    with duckdb.connect(str(release)) as con:
        con.execute(f"attach '{database}' as source (read_only)")
        con.execute(
            "create table main.rpt_chargeback_monthly as "
            "select * from source.marts.rpt_chargeback_monthly"
        )
    return release


def lines(database: Path, schema: str, where: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        found = con.execute(f"select * from {schema}.rpt_chargeback_monthly where {where}")
        return sorted(found.fetchall(), key=repr)


@pytest.fixture(scope="module")
def books_history(tmp_path_factory):
    base = tmp_path_factory.mktemp("closed_books")
    database, landing, books = base / "warehouse.duckdb", base / "landing", base / "books"
    env = {"AIUW_BOOKS_DIR": str(books)}
    write_fixture(database, landing)
    dbt_build(base, database, landing, SELECT, env=env)
    release = release_of(database, base / "release_1")
    booked = book_closed_months(books, release)
    restated = [MOVED_AFTER if c is MOVED else c for c in COSTS] + [LATE_CHARGE]
    write_fixture(database, landing, {**TABLES, **cost_tables(restated)})
    dbt_build(base, database, landing, SELECT, env=env)
    return base, database, release, books, booked


def test_the_closed_month_is_booked_once_with_the_marts_columns(books_history):
    _base, _database, release, books, booked = books_history
    assert booked == [AUG] and booked_months(books) == [AUG]
    written = book_path(books, AUG)
    assert (
        pq.read_schema(written).names
        == mart_schema(ROOT / "dbt_project" / "target" / "manifest.json").names
    )
    before = written.read_bytes()
    assert book_closed_months(books, release) == []  # a booked month is never written again
    assert written.read_bytes() == before


def test_a_restated_closed_month_keeps_its_published_lines(books_history):
    _base, database, release, _books, _booked = books_history
    august = "billing_month = date '2026-08-01'"
    assert lines(database, "marts", august) == lines(release, "main", august)
    assert closed_month_changes(database, release) == {}


def test_the_differences_are_charged_in_the_open_month_with_their_reasons(books_history):
    _base, database, _release, _books, _booked = books_history
    with duckdb.connect(str(database), read_only=True) as con:
        adjustments = con.execute(
            "select billing_month, restated_month, restatement_reason, billing_currency, "
            "application_id, sum(billed_cost) from marts.rpt_chargeback_monthly "
            "where restated_month is not null group by all order by all"
        ).fetchall()
        listed = con.execute(
            "select posted_month, restated_month, restatement_reason, billing_currency, "
            "application_id, sum(billed_cost_change), min(status), max(status) "
            "from marts.rpt_chargeback_restatements group by all order by all"
        ).fetchall()
        charged_for_august = con.execute(
            "select sum(billed_cost) from marts.rpt_chargeback_monthly "
            "where charged_month = date '2026-08-01' and billing_currency = 'USD'"
        ).fetchone()[0]
        computed_august = con.execute(
            "select sum(billed_cost) from intermediate.int_chargeback_lines "
            "where billing_month = date '2026-08-01' and billing_currency = 'USD'"
        ).fetchone()[0]
    openai_august = sum(
        c["billed_cost"]
        for c in COSTS
        if c["provider"] == "openai" and c["usage_date"] < SEP and c["billing_currency"] == "USD"
    )
    # the late charge changes OpenAI's August invoice by what it changes in whole cents
    late = to_the_cent(openai_august + LATE_CHARGE["billed_cost"]) - to_the_cent(openai_august)
    moved = MOVED["billed_cost"]
    assert adjustments == [
        (SEP, AUG, "provider_restatement", "USD", "app-a", late),
        (SEP, AUG, "reallocation", "EUR", "app-a", -moved),
        (SEP, AUG, "reallocation", "EUR", "app-b", moved),
    ]
    assert listed == [(*a, "pending", "pending") for a in adjustments]
    assert charged_for_august == computed_august
    usd_august = sum(
        (
            c["billed_cost"]
            for c in COSTS
            if c["usage_date"] < SEP and c["billing_currency"] == "USD"
        ),
        Decimal(0),
    )
    assert computed_august - late >= usd_august  # the seats of August are on top of the invoices


def test_edited_books_change_a_closed_month_and_are_caught(books_history, tmp_path):
    base, database, release, books, _booked = books_history
    written = book_path(books, AUG)
    original = written.read_bytes()
    edited = pq.read_table(written).to_pylist()
    edited[0]["billed_cost"] += Decimal("1")
    table = pq.read_table(written)
    pq.write_table(table.from_pylist(edited, table.schema), written)
    try:
        dbt_build(base, database, base / "landing", ["rpt_chargeback_monthly"], tests=False,
                  env={"AIUW_BOOKS_DIR": str(books)})  # fmt: skip
        assert closed_month_changes(database, release) == {AUG: (1, 1)}
        # deleting the edited file books the month again from the release
        written.unlink()
        assert book_closed_months(books, release) == [AUG]
        assert written.read_bytes() == original
        dbt_build(base, database, base / "landing", ["rpt_chargeback_monthly"], tests=False,
                  env={"AIUW_BOOKS_DIR": str(books)})  # fmt: skip
        assert closed_month_changes(database, release) == {}
    finally:
        written.write_bytes(original)
