"""What the sandbox enterprise was invoiced per month and billing currency, from the sandbox itself:
the usage invoices its providers serve (their ground truth) plus its seat charges (the seat sources'
holders on each charged day at the governance list price, price x days held / days in the month).

A published chargeback month must add up to these figures to the cent. Seats are charged on the
days the warehouse holds seats for the tool (snapshot days, and days carried back before the first
snapshot), so the caller passes those days; the holders and prices come from the sandbox and
governance, not the warehouse.

What a backfill can know about the days before its first seat snapshot is what that snapshot's seat
list reveals: a seat removed before the list was pulled is in no list, and the list names today's
plan. `revealed_by` (the day the first lists were pulled, per tool's first snapshot day) limits those
days to it; Cursor is exempt, its daily usage data names every member of every day. Microsoft 365
Copilot's list is its usage report, as of its refresh day (two days behind the pull), and it names no
assignment day: that comes from Entra ID's assignedPlans, so only the users Entra ID lists when
pulled, in a tenant that does not conceal names in its report, are carried back.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from governance.schema import SeatPricesFile
from sandbox import self_hosted
from sandbox.providers.m365_copilot import CONCEALED_TENANT, REFRESH_LAG
from sandbox.saas_seats import seats_for
from sandbox.server import SandboxState

CENT = Decimal("0.01")
DAY_BY_DAY_MEMBERS = {"cursor"}
LISTED_BEHIND_PULL = {"m365_copilot": REFRESH_LAG}
PLANS = {
    "cursor": "teams",
    "m365_copilot": "microsoft_365_copilot",
    "chatgpt_enterprise": "enterprise",
}


@dataclass(frozen=True)
class RevealedBy:
    """The first seat snapshot day of each tool, and the day its seat lists were pulled."""

    first_snapshot: dict[str, date]
    pulled_on: date

    def listed_on(self, tool: str, day: date) -> date | None:
        """The day whose seat list tells about `day`: for a day carried back before the tool's
        first snapshot, the pull day (Microsoft 365: its report's refresh day, two days before);
        None when the day is a snapshot day or the tool lists members day by day."""
        first = self.first_snapshot.get(tool)
        if tool in DAY_BY_DAY_MEMBERS or first is None or day >= first:
            return None
        return self.pulled_on - LISTED_BEHIND_PULL.get(tool, timedelta(0))


def m365_matchable(state: SandboxState, pulled_on: date) -> set[str]:
    """Person ids whose Microsoft 365 Copilot licence assignment a backfill can read: listed by
    Entra ID when pulled, and in a tenant whose usage report names them (not hashed)."""
    m365 = state.provider("m365_copilot")
    return {
        entry.person.person_id
        for entry in state.provider("entra_id").directory.listed(pulled_on, "entra_id")
        if m365.tenant_of(entry.person) != CONCEALED_TENANT
    }


def month_start(day: date) -> date:
    return day.replace(day=1)


def seat_plan(state: SandboxState, tool: str, person_id: str, day: date) -> str:
    """The plan the tool's seat list names (GitHub: Enterprise for the data department)."""
    if tool != "github_copilot":
        return PLANS[tool]
    enterprise = state.enterprise
    department = enterprise.team(enterprise.team_on(person_id, day)).department
    return "enterprise" if department == "data" else "business"


def seat_price(prices: SeatPricesFile, tool: str, plan: str, day: date) -> tuple[Decimal, str]:
    for p in prices.prices:
        if (p.tool, p.plan) == (tool, plan) and p.starts_on <= day < (p.ends_on or date.max):
            return p.price_per_month, p.currency
    raise LookupError(f"no seat price for {tool}/{plan} on {day}: add one to seat_prices.yml")


def to_the_cent(amount: Decimal) -> Decimal:
    """An invoice's amount in whole cents, half a cent rounded away from zero."""
    return amount.quantize(CENT, ROUND_HALF_UP)


def usage_invoiced(state: SandboxState, start: date, end: date) -> dict[date, Decimal]:
    """Month -> what the providers invoiced for usage on days in [start, end) (all in USD): each
    provider's month to the cent, as its invoice states it, and the AWS compute of the self-hosted
    vLLM deployment (charged as provider vllm) to the cent."""
    as_of = state.now()
    totals: dict[date, Decimal] = {}
    month = month_start(start)
    while month < end:
        last = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
        window = (max(month, start), min(date.fromordinal(last.toordinal() + 1), end))
        totals[month] = sum(
            (
                to_the_cent(Decimal(p.ground_truth(*window, as_of)["invoiced_cost_usd"]))
                for p in state.providers
            ),
            Decimal(0),
        ) + to_the_cent(self_hosted.invoiced(*window, as_of))
        month = date.fromordinal(last.toordinal() + 1)
    return totals


def seat_charges(
    state: SandboxState,
    seat_days: dict[str, Iterable[date]],
    prices: SeatPricesFile,
    m365_tenants: set[str] | None = None,
    revealed_by: RevealedBy | None = None,
) -> dict[tuple[date, str], Decimal]:
    """(month, currency) -> seat charges for the given days per tool, unrounded; Microsoft 365
    seats only of the tenants read (`m365_tenants`, None: every tenant); days before a tool's first
    snapshot as its first seat list reveals them (`revealed_by`, None: every holder of the day; for
    Microsoft 365, only the users `m365_matchable` names)."""
    seats = seats_for(state.enterprise)
    m365 = state.provider("m365_copilot")
    matchable = m365_matchable(state, revealed_by.pulled_on) if revealed_by else set()
    totals: dict[tuple[date, str], Decimal] = {}
    for tool, days in seat_days.items():
        for day in days:
            length = calendar.monthrange(day.year, day.month)[1]
            listed_on = revealed_by.listed_on(tool, day) if revealed_by else None
            for person in seats.seat_holders(tool, day):
                if tool == "m365_copilot" and m365_tenants is not None:
                    if m365.tenant_of(person) not in m365_tenants:
                        continue
                if listed_on is not None and not seats.holds(tool, person, listed_on):
                    continue  # removed before the first seat list was pulled
                if listed_on is not None and tool == "m365_copilot":
                    if person.person_id not in matchable:
                        continue  # no assignment day: concealed, or not in Entra ID
                plan = seat_plan(state, tool, person.person_id, listed_on or day)
                price, currency = seat_price(prices, tool, plan, day)
                key = (month_start(day), currency)
                totals[key] = totals.get(key, Decimal(0)) + price / length
    return totals


def invoiced_by_month(
    state: SandboxState,
    start: date,
    end: date,
    seat_days: dict[str, Iterable[date]],
    prices: SeatPricesFile,
    m365_tenants: set[str] | None = None,
    revealed_by: RevealedBy | None = None,
) -> dict[tuple[date, str], Decimal]:
    """(month, billing currency) -> usage invoices plus seat charges for [start, end): each
    provider's and each tool's month to the cent, as its invoice states it."""
    totals = {(month, "USD"): cost for month, cost in usage_invoiced(state, start, end).items()}
    for tool, days in seat_days.items():
        charges = seat_charges(state, {tool: days}, prices, m365_tenants, revealed_by)
        for key, cost in charges.items():
            totals[key] = totals.get(key, Decimal(0)) + to_the_cent(cost)
    return totals
