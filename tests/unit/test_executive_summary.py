"""The executive summary answers the stakeholder questions for the period asked, from the
docs/questions queries, and says so when a mart is not in the release."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from orchestration.reports.executive import build_executive_summary, latest_period
from tests.report_fixtures import build_published

MONTH = date(2026, 10, 1)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    return build_published(tmp_path_factory.mktemp("published") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def page(published, tmp_path_factory):
    files = build_executive_summary(published, MONTH, tmp_path_factory.mktemp("reports"))
    assert files.html.name == "executive_summary_2026-10.html"
    assert files.html.parent.name == "2026-10"
    return files.html.read_text()


def query(published, sql: str):
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_latest_period_is_the_latest_closed_month(published):
    assert latest_period(published) == MONTH


def test_every_section_and_question_is_there(page):
    for section in ("Finance", "Engineering", "Risk and compliance", "Executives"):
        assert f">{section}</h2>" in page
    assert page.count("docs/questions/") >= 9
    assert "not in this release: fct_gateway_requests_daily" in page
    assert re.search(r">\s*13 / 14\s*<", page)


def test_finance_figures_come_from_the_marts(published, page):
    ((total,),) = query(
        published,
        "select sum(reporting_cost) from rpt_chargeback_monthly where billing_month = date '2026-10-01'",
    )
    assert f'id="chargeback-total">{total.quantize(Decimal("0.01")):,.2f} USD' in page
    over = query(
        published,
        "select scope_name from rpt_budget_variance where budget_month = date '2026-10-01' "
        "and forecast_month_end_cost > budget_amount",
    )
    (budgets,) = query(
        published, "select count(*) from rpt_budget_variance where budget_month = date '2026-10-01'"
    )[0]
    assert f"{len(over)} of {budgets} budgets are forecast over for 2026-10" in page
    savings = query(
        published,
        "select opportunity_kind, estimated_monthly_saving from rpt_savings_opportunities "
        "where usage_month = date '2026-10-01'",
    )
    total = sum(amount for _, amount in savings)
    cheaper = sum(amount for kind, amount in savings if kind == "cheaper_model")
    assert f"About {total:,.2f} USD a month; most from cheaper model ({cheaper:,.2f} USD)." in page
    # idle seats on the period's last day only: the November seat is after the period
    assert "2 idle seats on the last day of the period, 59.00 USD a month" in page


def test_answers_stop_at_the_end_of_the_period(page):
    # the November leaver and the November shadow credential are after October
    assert "p-0042" in page and "p-0077" not in page
    assert "openai:key-shadow" in page and "anthropic:key-late" not in page
    assert "3 open findings, 1 of them shadow credentials." in page
    # last quarter of October is Q3: September's customer-data models, not October's
    assert "2 models: anthropic/claude-sonnet-4, openai/gpt-4o." in page
    assert "2 of 3 control mappings were evaluated through the end of 2026-10" in page
    share = (Decimal("900") + Decimal("2700.1234")) / Decimal("4000") * 100
    assert f"{share:.1f}% of invoiced spend in the month is on declared applications" in page


def test_spend_growth_has_a_chart(page):
    assert page.count("<svg") == 1
    assert "Fastest growth in 2026-10" in page


def test_headline_figures_count_every_row_not_just_the_rows_shown(published, tmp_path, monkeypatch):
    from orchestration.reports import executive_data

    monkeypatch.setattr(executive_data, "MAX_ROWS", 2)
    page = build_executive_summary(published, MONTH, tmp_path).html.read_text()
    ((total, centres),) = query(
        published,
        "select sum(reporting_cost), count(distinct cost_center_id) from rpt_chargeback_monthly "
        "where billing_month = date '2026-10-01'",
    )
    assert f'id="chargeback-total">{total.quantize(Decimal("0.01")):,.2f} USD' in page
    assert f"{centres} cost centres</div>" in page
