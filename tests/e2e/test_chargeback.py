"""The published chargeback against the sandbox enterprise's own figures (first backfill,
2026-09-01 .. 2026-09-20, as of 2026-09-22): the month adds up to what the providers invoiced plus
the seat holders at list price, to the cent per billing currency; EUR seats convert at the rate of
each day; the planted team is the only one forecast over budget."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from governance.load import load_governance
from sandbox import self_hosted
from sandbox.chargeback_truth import invoiced_by_month, seat_charges, to_the_cent
from sandbox.checks import m365_tenants, revealed_by
from sandbox.governance_example import PLANTED_OVER_BUDGET
from tests.e2e.deployment import FIRST, LAST

pytestmark = pytest.mark.e2e
SEPTEMBER = date(2026, 9, 1)


def seat_days(con) -> dict[str, list[date]]:
    days: dict[str, list[date]] = {}
    for tool, day in con.execute(
        "select distinct tool, activity_date from fct_seat_assignments_daily"
    ).fetchall():
        days.setdefault(tool, []).append(day)
    return days


def test_the_months_chargeback_is_what_the_sandbox_invoiced_to_the_cent(deployment):
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        got = {
            (month, currency): (closed, total)
            for month, currency, closed, total in con.execute(
                "select billing_month, billing_currency, bool_and(is_closed_month), sum(billed_cost)"
                " from rpt_chargeback_monthly group by billing_month, billing_currency"
            ).fetchall()
        }
        days = seat_days(con)
        reveal = revealed_by(con, deployment.sandbox.state)
        methods = {
            m
            for (m,) in con.execute(
                "select distinct allocation_method from rpt_chargeback_monthly"
            ).fetchall()
        }
    expected = invoiced_by_month(
        deployment.sandbox.state,
        FIRST,
        LAST + timedelta(days=1),
        days,
        load_governance().seat_prices,
        m365_tenants(),
        reveal,
    )
    # the lines are whole cents: their sums equal the invoices as stated, without rounding
    assert {k: total for k, (_, total) in got.items()} == expected
    assert set(expected) == {(SEPTEMBER, "USD"), (SEPTEMBER, "EUR")}
    # the data ends on 20 September: the month is not closed yet, the sums already hold
    assert {closed for closed, _ in got.values()} == {False}
    # credential mapping, token share (Anthropic workspaces), seats, and the unattributed line
    assert {"credential", "token_share", "seat_assignment", "unattributed"} <= methods


def test_eur_seats_convert_at_the_rate_of_each_day(deployment):
    governance = load_governance()
    rates = [r for r in governance.fx_rates.rates if r.currency == "EUR"]

    def rate(day: date) -> Decimal:
        return next(r.rate for r in rates if r.valid_from <= day < (r.valid_to or date.max))

    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        days = seat_days(con)["m365_copilot"]
        reveal = revealed_by(con, deployment.sandbox.state)
        got = {
            month: (billed, reported)
            for month, billed, reported in con.execute(
                "select billing_month, sum(billed_cost), sum(reporting_cost)"
                " from rpt_chargeback_monthly where billing_currency = 'EUR' group by all"
            ).fetchall()
        }
    # the first backfill snapshots seats on its last day and carries the tenant that names users
    # back from the Copilot licence's assignment day; the dbt tests cover a rate change in a month
    assert len(days) > 1
    exact: dict[date, tuple[Decimal, Decimal]] = {}
    for day in days:
        (cost,) = seat_charges(
            deployment.sandbox.state,
            {"m365_copilot": [day]},
            governance.seat_prices,
            m365_tenants(),
            reveal,
        ).values()
        billed, reported = exact.get(day.replace(day=1), (Decimal(0), Decimal(0)))
        exact[day.replace(day=1)] = (billed + cost, reported + cost * rate(day))
    # each month's seat invoice in whole cents, in EUR and converted day by day to USD
    assert got == {
        month: (to_the_cent(billed), to_the_cent(reported))
        for month, (billed, reported) in exact.items()
    }


def test_only_the_planted_team_is_forecast_over_budget(deployment):
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        over = con.execute(
            "select scope, scope_id from rpt_budget_variance"
            " where is_forecast_over_budget and budget_month = ?",
            [SEPTEMBER],
        ).fetchall()
        budgets = con.execute(
            "select count(*), min(days_elapsed), max(as_of_date) from rpt_budget_variance"
            " where budget_month = ?",
            [SEPTEMBER],
        ).fetchone()
    assert over == [PLANTED_OVER_BUDGET]
    assert budgets == (len(load_governance().budgets.budgets), (LAST - FIRST).days + 1, LAST)


def test_self_hosted_gpu_cost_allocates_to_vllm_tokens_to_the_cent(deployment):
    """The sandbox's vLLM deployment: its CUR rows (the GPU instance by id, its volume by tag) are
    charged in full every day, split over the day's vLLM tokens per credential in whole cents (the
    day's sub-cent rest on the largest part), and its September chargeback is the month to the cent."""
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        parts = con.execute(
            "select usage_date, credential_id, billed_cost, consumed_quantity from fct_ai_cost_daily"
            " where provider = ? and cost_kind = 'invoiced' order by usage_date, billed_cost desc",
            [self_hosted.PROVIDER],
        ).fetchall()
        tokens = dict(
            con.execute(
                "select usage_date, sum(total_tokens) from fct_ai_usage_daily"
                " where provider = ? and list_contains(?, model_id) group by usage_date",
                [self_hosted.PROVIDER, self_hosted.MODELS],
            ).fetchall()
        )
        charged = con.execute(
            "select sum(billed_cost), bool_or(allocation_method = 'unattributed')"
            " from rpt_chargeback_monthly where provider = ? and billing_month = ?",
            [self_hosted.PROVIDER, SEPTEMBER],
        ).fetchone()
    days = sorted({day for day, *_ in parts})
    assert days == [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    for day in days:
        of_day = [p for p in parts if p[0] == day]
        assert sum(p[2] for p in of_day) == self_hosted.DAY_COST
        # whole cents but the largest part, within a cent of cost x tokens / the day's tokens
        assert all(p[2] == to_the_cent(p[2]) for p in of_day[1:])
        assert sum(p[3] for p in of_day) == tokens.get(day, 0)
        for _, _, cost, used in of_day:
            # a cent of rounding, half a cent more on the largest part
            exact = self_hosted.DAY_COST * used / tokens[day] if used else self_hosted.DAY_COST
            assert abs(cost - exact) < Decimal("0.015")
    month = self_hosted.invoiced(
        SEPTEMBER, LAST + timedelta(days=1), deployment.sandbox.state.now()
    )
    assert month == self_hosted.DAY_COST * len(days)
    assert charged[0] == to_the_cent(month)
