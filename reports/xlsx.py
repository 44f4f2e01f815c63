"""The chargeback workbook for finance: a Summary sheet and one sheet per cost centre.

Amounts are the mart's whole cents with a currency format; every total is a formula, and the
Summary checks each sheet's formula total against the mart's own sum (difference column, 0.00).
A formula's cached value (what a reader shows before it recalculates) is what the formula gives on
the cells written, never a figure taken from elsewhere: a sheet that does not add up shows so.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from reports.chargeback_data import ChargebackMonth

LINE_HEADERS = (
    ("Team", 22),
    ("Application", 26),
    ("Provider", 16),
    ("Model", 24),
    ("Charge kind", 11),
    ("Allocation", 15),
    ("Tokens", 14),
    ("Seat days", 10),
    ("Billing currency", 9),
    ("Billed cost", 16),
    ("Cost", 16),
)
BILLED_COL = 9
COST_COL = 10
FIRST_LINE_ROW = 4
INVALID_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_name(cost_center_id: str, taken: set[str]) -> str:
    base = cost_center_id.translate(INVALID_SHEET_CHARS)[:31] or "blank"
    name, n = base, 1
    while name.lower() in taken or name.lower() == "summary":
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
    taken.add(name.lower())
    return name


def currency_format(currency: str) -> str:
    return f'#,##0.00 "{currency}";-#,##0.00 "{currency}"'


def write_workbook(report: ChargebackMonth, path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    workbook.set_properties(
        {"title": f"AI chargeback {report.label}", "subject": "AI usage chargeback by cost centre"}
    )
    fmt = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "note": workbook.add_format({"italic": True, "font_color": "#555555"}),
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#1f3a5f", "font_color": "#ffffff", "border": 1}
        ),
        "text": workbook.add_format({}),
        "int": workbook.add_format({"num_format": "#,##0"}),
        "total_label": workbook.add_format({"bold": True, "top": 1}),
        "pct": workbook.add_format({"num_format": "0.0%"}),
    }
    money: dict[tuple[str, bool], object] = {}

    def money_format(currency: str, bold: bool = False):
        if (currency, bold) not in money:
            spec = {"num_format": currency_format(currency)}
            if bold:
                spec |= {"bold": True, "top": 1}
            money[(currency, bold)] = workbook.add_format(spec)
        return money[(currency, bold)]

    summary = workbook.add_worksheet("Summary")
    taken: set[str] = set()
    total_cells = {}
    for cost_center_id in report.cost_centres():
        name = sheet_name(cost_center_id, taken)
        total_cells[cost_center_id] = (
            name,
            *write_cost_centre_sheet(workbook, name, report, cost_center_id, fmt, money_format),
        )
    write_summary(summary, report, total_cells, fmt, money_format)
    workbook.close()


def write_cost_centre_sheet(
    workbook, name, report, cost_center_id, fmt, money_format
) -> tuple[str, Decimal]:
    """Write one cost centre's lines; returns the cell holding its total (reporting currency) and
    the total of the lines written."""
    sheet = workbook.add_worksheet(name)
    currency = report.reporting_currency
    sheet.write(
        0,
        0,
        f"Cost centre {report.cost_centre_label(cost_center_id)}: AI chargeback {report.label}",
        fmt["title"],
    )
    sheet.write(
        1, 0, f"Cost in {currency}; billed cost in the provider's billing currency.", fmt["note"]
    )
    for col, (header, width) in enumerate(LINE_HEADERS):
        sheet.write(FIRST_LINE_ROW - 1, col, header, fmt["header"])
        sheet.set_column(col, col, width)
    lines = report.lines_for(cost_center_id)
    row = FIRST_LINE_ROW
    for line in lines:
        sheet.write_string(row, 0, line.team_name or line.team_id or "(none)")
        sheet.write_string(row, 1, line.application_name or line.application_id or "")
        sheet.write_string(row, 2, line.provider)
        sheet.write_string(row, 3, line.model_id or "")
        sheet.write_string(row, 4, line.charge_kind)
        sheet.write_string(row, 5, line.allocation_method)
        if line.total_tokens is not None:
            sheet.write_number(row, 6, line.total_tokens, fmt["int"])
        if line.seat_days is not None:
            sheet.write_number(row, 7, line.seat_days, fmt["int"])
        sheet.write_string(row, 8, line.billing_currency)
        sheet.write_number(row, BILLED_COL, line.billed_cost, money_format(line.billing_currency))
        sheet.write_number(row, COST_COL, line.reporting_cost, money_format(currency))
        row += 1
    last = row - 1
    sheet.write(row, 0, "Total", fmt["total_label"])
    cost_range = (
        f"{xl_rowcol_to_cell(FIRST_LINE_ROW, COST_COL)}:{xl_rowcol_to_cell(last, COST_COL)}"
    )
    sheet_total = sum((line.reporting_cost for line in lines), Decimal(0))
    sheet.write_formula(
        row, COST_COL, f"=SUM({cost_range})", money_format(currency, bold=True), sheet_total
    )
    total_cell = xl_rowcol_to_cell(row, COST_COL, row_abs=True, col_abs=True)
    # billed cost can mix currencies: one SUMIF per billing currency present
    currency_range = f"{xl_rowcol_to_cell(FIRST_LINE_ROW, 8)}:{xl_rowcol_to_cell(last, 8)}"
    billed_range = (
        f"{xl_rowcol_to_cell(FIRST_LINE_ROW, BILLED_COL)}:{xl_rowcol_to_cell(last, BILLED_COL)}"
    )
    for billing_currency in sorted({line.billing_currency for line in lines}):
        row += 1
        value = sum(
            (li.billed_cost for li in lines if li.billing_currency == billing_currency), Decimal(0)
        )
        sheet.write(row, 0, f"Billed in {billing_currency}", fmt["total_label"])
        sheet.write_formula(
            row,
            BILLED_COL,
            f'=SUMIF({currency_range},"{billing_currency}",{billed_range})',
            money_format(billing_currency, bold=True),
            value,
        )
    sheet.freeze_panes(FIRST_LINE_ROW, 0)
    sheet.autofilter(FIRST_LINE_ROW - 1, 0, last, len(LINE_HEADERS) - 1)
    return total_cell, sheet_total


def write_summary(sheet, report: ChargebackMonth, total_cells, fmt, money_format) -> None:
    currency = report.reporting_currency
    sheet.write(0, 0, f"AI chargeback {report.label}: what each cost centre owes", fmt["title"])
    state = "closed month" if report.is_closed_month else "month still open: figures will change"
    sheet.write(
        1,
        0,
        f"Amounts in {currency}; {state}. Source: published rpt_chargeback_monthly.",
        fmt["note"],
    )
    headers = [
        ("Cost centre", 16),
        ("Sheet", 14),
        ("Teams", 40),
        ("Usage", 16),
        ("Seats", 16),
        ("Total (sheet)", 18),
        ("Total (mart)", 18),
        ("Difference", 14),
        ("Share", 9),
    ]
    for col, (header, width) in enumerate(headers):
        sheet.write(3, col, header, fmt["header"])
        sheet.set_column(col, col, width)
    first = row = 4
    total_row = first + len(report.cost_centres())
    grand = report.grand_total()
    columns: dict[int, list[Decimal]] = {col: [] for col in (3, 4, 5, 6, 7)}
    for cost_center_id in report.cost_centres():
        name, total_cell, sheet_total = total_cells[cost_center_id]
        kinds = report.by_kind(cost_center_id)
        mart_total = report.mart_totals[cost_center_id]
        difference = (sheet_total - mart_total).quantize(Decimal("0.01"))
        values = {
            3: kinds.get("usage", Decimal(0)),
            4: kinds.get("seat", Decimal(0)),
            5: sheet_total,
            6: mart_total,
            7: difference,
        }
        sheet.write_string(row, 0, cost_center_id)
        sheet.write_url(row, 1, f"internal:'{name}'!A1", string=name)
        sheet.write_string(row, 2, ", ".join(report.teams_of(cost_center_id)))
        sheet.write_number(row, 3, values[3], money_format(currency))
        sheet.write_number(row, 4, values[4], money_format(currency))
        sheet.write_formula(row, 5, f"='{name}'!{total_cell}", money_format(currency), sheet_total)
        sheet.write_number(row, 6, mart_total, money_format(currency))
        sheet.write_formula(
            row,
            7,
            f"=ROUND({xl_rowcol_to_cell(row, 5)}-{xl_rowcol_to_cell(row, 6)},2)",
            money_format(currency),
            difference,
        )
        share = mart_total / grand if grand else Decimal(0)
        grand_cell = xl_rowcol_to_cell(total_row, 6, row_abs=True, col_abs=True)
        sheet.write_formula(
            row,
            8,
            f"=IF({grand_cell}=0,0,{xl_rowcol_to_cell(row, 6)}/{grand_cell})",
            fmt["pct"],
            share,
        )
        for col, value in values.items():
            columns[col].append(value)
        row += 1
    last = row - 1
    sheet.write(row, 0, "Total", fmt["total_label"])
    for col, values_in_column in columns.items():
        column_range = f"{xl_rowcol_to_cell(first, col)}:{xl_rowcol_to_cell(last, col)}"
        sheet.write_formula(
            row,
            col,
            f"=SUM({column_range})",
            money_format(currency, bold=True),
            sum(values_in_column, Decimal(0)),
        )
    row += 2
    sheet.write(
        row, 0, "Billed per billing currency (the invoices of the month)", fmt["total_label"]
    )
    for billing_currency, amount in report.billed_totals.items():
        row += 1
        sheet.write_string(row, 0, billing_currency)
        sheet.write_number(row, 6, amount, money_format(billing_currency))
    sheet.freeze_panes(4, 1)
