"""The executive summary page: every stakeholder question answered for one month, in one HTML file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from reports.chargeback_data import ReportError, closed_months, connect, table_names
from reports.executive_data import ExecutiveSummary, load_summary
from reports.html import render
from reports.output import month_dir, write_atomically
from reports.periods import latest_closed_month


@dataclass(frozen=True)
class ExecutiveFiles:
    month: date
    html: Path


def latest_period(database: Path) -> date:
    """The latest closed month: from the chargeback mart when published, else from the cost data."""
    with connect(database) as con:
        tables = table_names(con)
        if "rpt_chargeback_monthly" in tables and (months := closed_months(con)):
            return months[-1]
        if "fct_ai_cost_daily" in tables:
            (as_of,) = con.execute("select max(usage_date) from fct_ai_cost_daily").fetchone()
            if as_of:
                return latest_closed_month(as_of)
    raise ReportError(f"{database} has no cost data to tell the latest month from: pass --month")


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def is_numeric(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def render_html(summary: ExecutiveSummary) -> str:
    answers = [a for section in summary.sections.values() for a in section]
    return render(
        "executive_summary.html.j2",
        title=f"AI usage executive summary, {summary.month.strftime('%B %Y')}",
        subtitle=(
            f"Answers to the questions finance, engineering, risk and executives ask, as of the end of "
            f"{summary.label}"
            + (f" (data through {summary.as_of:%d %b %Y})" if summary.as_of else "")
        ),
        footer="Source: the published warehouse; each answer names its mart or reports/questions query.",
        s=summary,
        answered=sum(1 for a in answers if not a.missing),
        total_questions=len(answers),
        cell=cell,
        is_numeric=is_numeric,
    )


def build_executive_summary(database: Path, month: date, out_root: Path) -> ExecutiveFiles:
    with connect(database) as con:
        summary = load_summary(con, month)
    page = render_html(summary)
    target = month_dir(out_root, month) / f"executive_summary_{summary.label}.html"
    write_atomically(target, lambda path: path.write_text(page, encoding="utf-8"))
    return ExecutiveFiles(month, target)
