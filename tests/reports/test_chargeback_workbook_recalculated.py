"""The chargeback workbook as a spreadsheet application computes it: LibreOffice (headless) opens
the XLSX, recalculates every formula and saves it; every difference reads 0.00, every total equals
the mart, and the values the workbook carried before recalculation are the ones LibreOffice gets.
With one line altered, the difference shows it."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from reports.chargeback import build_chargeback_report
from tests.report_fixtures import build_published

MONTH = date(2026, 10, 1)
CENT = Decimal("0.01")
# LibreOffice keeps the cached values of an XLSX unless told to recalculate on load (0: always)
RECALCULATE_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.fail(
            "LibreOffice is not installed: `apt-get install -y libreoffice-calc-nogui` "
            "(.ci/run installs it)"
        )
    return found


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    """A LibreOffice user profile of the tests' own that recalculates on load (made on first use,
    shared by the module's conversions)."""
    profile = tmp_path_factory.mktemp("libreoffice-profile")
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD)
    return profile


def recalculated(workbook: Path, work: Path, profile: Path) -> Path:
    """`workbook` opened, recalculated and saved by LibreOffice, into `work`."""
    out = work / "recalculated"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / workbook.name


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def summary_rows(path: Path) -> dict[str, dict[str, Decimal]]:
    """Cost centre -> the Summary's sheet total, mart total and difference, as cached in `path`."""
    sheet = openpyxl.load_workbook(path, data_only=True)["Summary"]
    headers = [cell.value for cell in sheet[4]]
    rows = {}
    for row in sheet.iter_rows(min_row=5, values_only=True):
        if row[0] in (None, "Total"):
            break
        values = dict(zip(headers, row, strict=False))
        rows[row[0]] = {
            "sheet": cents(values["Total (sheet)"]),
            "mart": cents(values["Total (mart)"]),
            "difference": cents(values["Difference"]),
        }
    return rows


def formula_values(path: Path) -> dict[tuple[str, str], Decimal]:
    """Every formula cell's cached value, by sheet and cell."""
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    found = {}
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cached = values[sheet.title][cell.coordinate].value
                    found[(sheet.title, cell.coordinate)] = Decimal(str(cached)).quantize(
                        Decimal("0.0001")
                    )
    return found


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return build_published(tmp_path_factory.mktemp("published") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def workbook(published, tmp_path_factory) -> Path:
    return build_chargeback_report(published, MONTH, tmp_path_factory.mktemp("reports")).xlsx


@pytest.fixture(scope="module")
def mart_per_cost_centre(published) -> dict[str, Decimal]:
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select cost_center_id, sum(reporting_cost) from rpt_chargeback_monthly"
            " where billing_month = ? group by all",
            [MONTH],
        ).fetchall()
    return dict(rows)


def test_recalculated_every_difference_is_zero_and_every_total_the_marts(
    workbook, mart_per_cost_centre, tmp_path, profile
):
    rows = summary_rows(recalculated(workbook, tmp_path, profile))
    assert set(rows) == set(mart_per_cost_centre) and len(rows) > 3
    for cost_centre, row in rows.items():
        assert row["difference"] == 0, cost_centre
        assert row["sheet"] == row["mart"] == mart_per_cost_centre[cost_centre], cost_centre


def test_the_cached_values_are_what_the_formulas_give(workbook, tmp_path, profile):
    written = formula_values(workbook)
    assert len(written) > 20
    assert formula_values(recalculated(workbook, tmp_path, profile)) == written


def test_an_altered_line_shows_in_its_difference(workbook, mart_per_cost_centre, tmp_path, profile):
    book = openpyxl.load_workbook(workbook)
    summary = book["Summary"]
    cost_centre, sheet_name = summary["A5"].value, summary["B5"].value
    sheet = book[sheet_name]
    cost_column = [c.value for c in sheet[4]].index("Cost") + 1
    line = sheet.cell(row=5, column=cost_column)
    line.value = float(Decimal(str(line.value)) + 1)
    altered = tmp_path / "altered" / workbook.name
    altered.parent.mkdir()
    book.save(altered)  # openpyxl writes no cached values: only a recalculation gives any
    rows = summary_rows(recalculated(altered, tmp_path, profile))
    assert rows[cost_centre]["difference"] == Decimal("1.00")
    assert rows[cost_centre]["sheet"] == mart_per_cost_centre[cost_centre] + 1
    assert all(row["difference"] == 0 for name, row in rows.items() if name != cost_centre)
