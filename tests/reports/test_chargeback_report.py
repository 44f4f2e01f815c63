"""The chargeback report ties out: workbook sheets, CSV and HTML against the mart, to the cent."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

import duckdb
import openpyxl
import pytest

from reports.chargeback import build_chargeback_report, latest_closed_chargeback_month
from reports.chargeback_data import ReportError
from tests.report_fixtures import APPLICATIONS, build_published

CENT = Decimal("0.01")
MONTH = date(2026, 10, 1)


def cents(value) -> Decimal:
    # openpyxl reads cached numbers as float; a cent is far above a double's error at these sizes
    return Decimal(str(value)).quantize(CENT)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return build_published(tmp_path_factory.mktemp("published") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def files(published, tmp_path_factory):
    return build_chargeback_report(published, MONTH, tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def mart(published):
    """The mart's month, summed here independently of the report code (Python Decimal sums)."""
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select cost_center_id, team_id, charge_kind, reporting_cost, billed_cost "
            "from rpt_chargeback_monthly where billing_month = ?",
            [MONTH],
        ).fetchall()
        previous = con.execute(
            "select reporting_cost from rpt_chargeback_monthly where billing_month = date '2026-09-01'"
        ).fetchall()
    per_cc: dict[str, Decimal] = defaultdict(Decimal)
    for cc, _, _, cost, _ in rows:
        per_cc[cc] += cost
    return {
        "rows": rows,
        "per_cc": dict(per_cc),
        "total": sum(r[3] for r in rows),
        "previous": sum(r[0] for r in previous),
    }


def test_files_land_in_the_month_folder(files):
    assert {p.name for p in files.paths()} == {
        "chargeback_2026-10.xlsx",
        "chargeback_2026-10.csv",
        "chargeback_2026-10.html",
    }
    assert all(p.parent.name == "2026-10" and p.stat().st_size > 0 for p in files.paths())
    assert not [p for p in files.xlsx.parent.iterdir() if p.name.endswith(".tmp")]


def test_workbook_sheets_tie_out_with_the_mart(files, mart):
    values = openpyxl.load_workbook(files.xlsx, data_only=True)
    formulas = openpyxl.load_workbook(files.xlsx)
    assert values.sheetnames[0] == "Summary"
    assert sorted(values.sheetnames[1:]) == sorted(mart["per_cc"])
    for cc, expected in mart["per_cc"].items():
        sheet = values[cc]
        rows = list(sheet.iter_rows(min_row=5, values_only=True))
        line_rows = [
            r for r in rows if r[0] not in (None, "Total") and not str(r[0]).startswith("Billed in")
        ]
        assert len(line_rows) == sum(1 for r in mart["rows"] if r[0] == cc)
        assert sum(Decimal(str(r[10])) for r in line_rows).quantize(CENT) == expected.quantize(CENT)
        (total_row,) = [i for i, r in enumerate(rows, start=5) if r[0] == "Total"]
        assert cents(sheet.cell(total_row, 11).value) == expected.quantize(CENT)
        formula = formulas[cc].cell(total_row, 11).value
        assert formula == f"=SUM(K5:K{total_row - 1})"
        assert "USD" in sheet.cell(5, 11).number_format
    assert values["CC-210"].cell(1, 1).value.startswith("Cost centre Data / Analytics (CC-210):")


def test_summary_equals_the_grand_total(files, mart):
    sheet = openpyxl.load_workbook(files.xlsx, data_only=True)["Summary"]
    formulas = openpyxl.load_workbook(files.xlsx)["Summary"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]}
    for cc, expected in mart["per_cc"].items():
        assert cents(rows[cc][5]) == expected.quantize(CENT)  # the sheet's total, by formula
        assert cents(rows[cc][6]) == expected.quantize(CENT)  # the mart's total, as a value
        assert cents(rows[cc][7]) == 0
    assert cents(rows["Total"][5]) == mart["total"].quantize(CENT)
    assert cents(rows["Total"][6]) == mart["total"].quantize(CENT)
    total_row = next(r for r in range(5, 40) if formulas.cell(r, 1).value == "Total")
    assert formulas.cell(total_row, 6).value.startswith("=SUM(F5:F")
    assert formulas.cell(5, 6).value.startswith("='CC-110'!$K$")


def test_csv_lines_sum_to_the_mart(files, mart):
    with files.csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(mart["rows"])
    assert {r["billing_month"] for r in rows} == {"2026-10-01"}
    assert sum(Decimal(r["reporting_cost"]) for r in rows) == mart["total"]
    assert sum(Decimal(r["billed_cost"]) for r in rows) == sum(r[4] for r in mart["rows"])


def test_html_has_the_four_charts_and_the_headline_figures(files, mart):
    page = files.html.read_text()
    assert page.count("<svg") == 4
    # self-contained: nothing to fetch when opened offline
    assert not re.search(r"""(src|href)=["']https?:|<link |@import|<script""", page)
    assert f"{mart['total'].quantize(CENT):,.2f} USD" in page
    change = (mart["total"] - mart["previous"]).quantize(CENT)
    assert f"{change:+,.2f} USD" in page
    for cc, expected in mart["per_cc"].items():
        assert f'data-cost-centre="{cc}">{expected.quantize(CENT):,.2f} USD' in page
    for heading in ("Spend trend", "Top movers", "Budget burn", "Spend by provider and model"):
        assert heading in page
    # cost centres by their governance names; CC-810 has none and shows its id
    assert "<td>Engineering / Platform (CC-110)</td>" in page
    assert "<td>CC-810</td>" in page


def test_latest_closed_month_and_clear_errors(published, tmp_path):
    assert latest_closed_chargeback_month(published) == MONTH
    with pytest.raises(
        ReportError, match=r"no chargeback lines for 2027-01.*2026-08, 2026-09, 2026-10"
    ):
        build_chargeback_report(published, date(2027, 1, 1), tmp_path)
    with pytest.raises(ReportError, match="publish one first"):
        build_chargeback_report(tmp_path / "missing.duckdb", MONTH, tmp_path)


def movers_in(page: str) -> list[str]:
    """The movers chart's labels, top bar first (SVG lists the y ticks bottom up)."""
    card = page[page.index("Top movers</h2>") :]
    card = card[: card.index("Budget burn</h2>")] if "Budget burn</h2>" in card else card
    return re.findall(r">([\w][\w -]* · [\w.-]+)<", card)[::-1]


def expected_movers(published, source_sql: str) -> list[tuple[str, Decimal]]:
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(source_sql).fetchall()
    changes: dict[str, Decimal] = defaultdict(Decimal)
    names = dict(APPLICATIONS)  # movers show applications by their governance names
    for application, model, change in rows:
        changes[f"{names.get(application, application)} · {model}"] += change
    return sorted(changes.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:8]


def test_top_movers_from_the_cost_facts(files, published):
    expected = expected_movers(
        published,
        "select application_id, model_id, case when usage_date >= date '2026-10-01' then billed_cost "
        "else -billed_cost end from fct_ai_cost_daily "
        "where usage_date >= date '2026-09-01' and usage_date < date '2026-11-01'",
    )
    page = files.html.read_text()
    assert "(fct_ai_cost_daily), month over month" in page
    assert movers_in(page)[: len(expected)] == [label for label, _ in expected]
    assert f"{expected[0][1].quantize(CENT):+,.2f}" in page


def test_top_movers_from_spend_drivers_when_published(published, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(published.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute(
            """create table rpt_spend_drivers as
            select 'month_over_month' as comparison, date '2026-10-01' as period_start,
                application_id, model_id, 'USD' as billing_currency,
                cast(reporting_cost * 2 as decimal(38,10)) as cost_current,
                cast(reporting_cost as decimal(38,10)) as cost_before,
                cast(reporting_cost * 0.75 as decimal(38,10)) as volume_effect,
                cast(reporting_cost * 0.25 as decimal(38,10)) as price_effect
            from rpt_chargeback_monthly
            where billing_month = date '2026-10-01' and charge_kind = 'usage'"""
        )
    expected = expected_movers(
        copy,
        "select coalesce(application_id, 'unattributed'), model_id, cost_current - cost_before "
        "from rpt_spend_drivers",
    )
    page = build_chargeback_report(copy, MONTH, tmp_path / "reports").html.read_text()
    assert "(rpt_spend_drivers, month over month)" in page
    chart = page[: page.index('<table class="movers">')]
    assert movers_in(chart)[: len(expected)] == [label for label, _ in expected]
    # the volume and price split of the top mover, computed here from the table
    label, change = expected[0]
    card = page[page.index('<table class="movers">') : page.index("Budget burn</h2>")]
    assert f"<td>{label}</td>" in card
    assert f"{(change * Decimal('0.75')).quantize(CENT):+,.2f}" in card
    assert f"{(change * Decimal('0.25')).quantize(CENT):+,.2f}" in card
