"""The monthly chargeback report: XLSX for finance, CSV, and HTML with charts, from one read of the mart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from reports.chargeback_data import (
    UNATTRIBUTED,
    ChargebackMonth,
    ReportError,
    closed_months,
    connect,
    load_chargeback,
    require_tables,
)
from reports.csv_export import write_csv
from reports.html import render
from reports.names import vendor_name
from reports.output import month_dir, write_atomically
from reports.periods import month_label, previous_month
from reports.xlsx import write_workbook

PROVIDER_MODEL_LINES = 12
BUDGET_LINES = 15


@dataclass(frozen=True)
class ChargebackFiles:
    month: date
    xlsx: Path
    csv: Path
    html: Path
    total: Decimal
    currency: str
    cost_centres: int
    lines: int
    by_cost_centre: dict[str, Decimal]

    def paths(self) -> list[Path]:
        return [self.xlsx, self.csv, self.html]


def latest_closed_chargeback_month(database: Path) -> date:
    with connect(database) as con:
        require_tables(con, database, "rpt_chargeback_monthly")
        months = closed_months(con)
    if not months:
        raise ReportError(
            f"{database} holds no closed chargeback month yet: pass --month for an open one"
        )
    return months[-1]


def build_chargeback_report(database: Path, month: date, out_root: Path) -> ChargebackFiles:
    with connect(database) as con:
        report = load_chargeback(con, database, month)
    directory = month_dir(out_root, month)
    stem = f"chargeback_{report.label}"
    xlsx = write_atomically(directory / f"{stem}.xlsx", lambda path: write_workbook(report, path))
    csv = write_atomically(directory / f"{stem}.csv", lambda path: write_csv(report, path))
    page = render_html(report)
    html = write_atomically(
        directory / f"{stem}.html", lambda path: path.write_text(page, encoding="utf-8")
    )
    return ChargebackFiles(
        month,
        xlsx,
        csv,
        html,
        report.grand_total(),
        report.reporting_currency,
        len(report.mart_totals),
        len(report.lines),
        {cc: report.mart_totals[cc] for cc in report.cost_centres()},
    )


def render_html(report: ChargebackMonth) -> str:
    # matplotlib is imported when a report is drawn, not by every process loading the definitions
    from reports import charts

    currency = report.reporting_currency
    previous = report.previous_total()
    change = None if previous is None else report.grand_total() - previous
    change_pct = None if not previous else change / previous * 100
    provider_models = report.by_provider_model()[:PROVIDER_MODEL_LINES]
    budget_lines = report.budgets[:BUDGET_LINES]  # furthest into their budget first
    providers = sorted({provider for provider, _, _ in provider_models})
    provider_color = {p: charts.PALETTE[i % len(charts.PALETTE)] for i, p in enumerate(providers)}
    chart_svgs = {
        "trend": charts.spend_trend(report.trend, report.month, currency),
        "movers": charts.horizontal_bars(
            [m.label for m in report.movers],
            [m.change for m in report.movers],
            currency,
            diverging=True,
        )
        if report.movers
        else "",
        "budget": charts.budget_burn(
            [b.scope_name for b in budget_lines],
            [b.burn_pct for b in budget_lines],
            [b.forecast_month_end_cost / b.budget_amount * 100 for b in budget_lines],
        )
        if budget_lines
        else "",
        "providers": charts.horizontal_bars(
            [f"{vendor_name(provider)} · {model}" for provider, model, _ in provider_models],
            [amount for _, _, amount in provider_models],
            currency,
            colors=[provider_color[provider] for provider, _, _ in provider_models],
        ),
    }
    kinds = [report.by_kind(cc) for cc in report.cost_centres()]
    unattributed = report.mart_totals.get(UNATTRIBUTED, Decimal(0))
    grand = report.grand_total()
    state = "closed month" if report.is_closed_month else "open month, figures will change"
    return render(
        "chargeback.html.j2",
        title=f"AI chargeback {report.month.strftime('%B %Y')}",
        subtitle=f"What each cost centre owes for AI usage and seats, in {currency} ({state})",
        footer=f"Source: published warehouse, rpt_chargeback_monthly {report.label}. "
        f"Workbook and CSV with every line beside this file.",
        r=report,
        charts=chart_svgs,
        previous_label=month_label(previous_month(report.month)),
        change=change,
        change_pct=change_pct,
        unattributed=unattributed,
        unattributed_pct=unattributed / grand * 100 if grand else None,
        over_budget=[b for b in report.budgets if b.is_forecast_over_budget],
        top_n=len(provider_models),
        budget_lines=budget_lines,
        max_cc=max(report.mart_totals.values(), default=Decimal(0)),
        usage_total=sum((k.get("usage", Decimal(0)) for k in kinds), Decimal(0)),
        seat_total=sum((k.get("seat", Decimal(0)) for k in kinds), Decimal(0)),
    )
