"""The chargeback report on the real marts: rpt_chargeback_monthly and rpt_budget_variance built by
dbt from the chargeback test's fixture, published like a run publishes them, then the workbook read
back with openpyxl ties out with the published mart to the cent."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import duckdb
import openpyxl
import pytest

from reports.chargeback import build_chargeback_report, latest_closed_chargeback_month
from tests.dbt.test_chargeback_dbt import SELECT, write_fixture
from tests.dbt_build import dbt_build
from warehouse.publish import current_dir, publish

CENT = Decimal("0.01")
PUBLISHED = ["rpt_chargeback_monthly", "rpt_budget_variance", "fct_ai_cost_daily", "dim_team"]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    base = tmp_path_factory.mktemp("chargeback_real")
    database = base / "warehouse.duckdb"
    landing = base / "landing"
    write_fixture(database, landing)
    dbt_build(base, database, landing, SELECT)
    publish(database, base / "published", PUBLISHED, run_id="test-run")
    return current_dir(base / "published") / "warehouse.duckdb"


def test_workbook_from_the_real_mart_ties_out(published, tmp_path):
    month = latest_closed_chargeback_month(published)
    files = build_chargeback_report(published, month, tmp_path)
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select cost_center_id, reporting_cost, billing_currency, billed_cost "
            "from rpt_chargeback_monthly where billing_month = ?",
            [month],
        ).fetchall()
    per_cc: dict[str, Decimal] = defaultdict(Decimal)
    billed: dict[str, Decimal] = defaultdict(Decimal)
    for cc, cost, currency, amount in rows:
        per_cc[cc] += cost
        billed[currency] += amount
    book = openpyxl.load_workbook(files.xlsx, data_only=True)
    assert sorted(book.sheetnames[1:]) == sorted(per_cc)
    for cc, expected in per_cc.items():
        total = next(r for r in book[cc].iter_rows(values_only=True) if r[0] == "Total")
        assert Decimal(str(total[10])).quantize(CENT) == expected.quantize(CENT)
        for currency in {c for k, _, c, _ in rows if k == cc}:
            line = next(
                r for r in book[cc].iter_rows(values_only=True) if r[0] == f"Billed in {currency}"
            )
            assert Decimal(str(line[9])).quantize(CENT) == sum(
                (a for k, _, c, a in rows if k == cc and c == currency), Decimal(0)
            ).quantize(CENT)
    summary = {r[0]: r for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    grand = sum(per_cc.values(), Decimal(0))
    assert Decimal(str(summary["Total"][5])).quantize(CENT) == grand.quantize(CENT)
    assert Decimal(str(summary["Total"][6])).quantize(CENT) == grand.quantize(CENT)
    for currency, amount in billed.items():
        assert Decimal(str(summary[currency][6])).quantize(CENT) == amount.quantize(CENT)
    assert f"{grand.quantize(CENT):,.2f} {files.currency}" in files.html.read_text()
