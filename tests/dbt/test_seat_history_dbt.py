"""Seats in a backfill: one pull of 2026-08-01 .. 2026-11-19 whose only seat snapshot is its last
day. Every seat the sandbox says was held on a day of a closed month is in fct_seat_assignments_daily
that day, carried back from its assignment, with the plan and the holder's team of the day, and each
closed month's seat cost per tool is the sandbox's seat charges to the cent; except what no seat
source reveals, named here: GitHub seats removed before the snapshot, a GitHub plan that changed
before it, and the Microsoft 365 Copilot seats of the tenant that conceals names (its report has no
assignment date; Entra ID's assignedPlans has it, matched by principal name, which a hash is not)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from connectors.entra_id.copilot_plans import copilot_plan_dbt_vars
from governance.load import load_governance
from sandbox.chargeback_truth import CENT, RevealedBy, m365_matchable, seat_charges, seat_plan
from sandbox.providers.m365_copilot import CONCEALED_TENANT
from sandbox.saas_seats import seats_for
from sandbox.server import SandboxState
from tests.backfill_landing import land_backfill
from tests.dbt.test_identity_dbt import SOURCES as IDENTITY_SOURCES
from tests.dbt.test_saas_seats_dbt import ASSETS, SOURCES
from tests.dbt_build import dbt_build

HISTORY_START, LAST_DAY = date(2026, 8, 1), date(2026, 11, 19)
PULLED_ON = LAST_DAY + timedelta(days=1)  # the backfill runs the morning after its last day
CLOSED_MONTHS = [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
SAMPLE_DAYS = [date(2026, 8, 1), date(2026, 8, 16), date(2026, 9, 6), date(2026, 10, 31)]
CARRIED_TOOLS = ("github_copilot", "cursor", "chatgpt_enterprise")
MODELS = [
    "stg_github_copilot__seats",
    "stg_github_copilot__user_metrics",
    "stg_github_copilot__organization_metrics",
    "stg_cursor__members",
    "stg_cursor__daily_usage",
    "stg_cursor__usage_events",
    "stg_m365_copilot__usage_user_details",
    "stg_chatgpt_enterprise__users",
    "stg_entra_id__copilot_plan_assignments",
    "int_saas_seat_activity_daily",
    "+fct_seat_assignments_daily",
    "int_seat_cost_amortised_daily",
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("seat_history")
    state = SandboxState()
    saas = [
        (source_type, source, module)
        for source_type, module in ASSETS.items()
        for source in SOURCES[source_type]
    ]
    # snapshots dated LAST_DAY
    landing = land_backfill(
        base,
        [*saas, *IDENTITY_SOURCES],
        HISTORY_START,
        PULLED_ON,
        ("teams", "person_aliases", "seat_prices"),
        state,
    )
    database = base / "warehouse.duckdb"
    dbt_build(
        base,
        database,
        landing,
        MODELS,
        cautious=True,
        timeout=900,
        dbt_vars={
            "history_start": HISTORY_START.isoformat(),
            **copilot_plan_dbt_vars(source for _, source, _ in IDENTITY_SOURCES),
        },
    )
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, state


def closed_month_days() -> list[date]:
    end = CLOSED_MONTHS[-1].replace(day=31)
    return [HISTORY_START + timedelta(days=n) for n in range((end - HISTORY_START).days + 1)]


def month_days(month: date) -> list[date]:
    length = calendar.monthrange(month.year, month.month)[1]
    return [month + timedelta(days=n) for n in range(length)]


def revealed() -> RevealedBy:
    first = {tool: LAST_DAY for tool in (*CARRIED_TOOLS, "m365_copilot")}
    return RevealedBy(first_snapshot=first, pulled_on=PULLED_ON)


def held_seats(state, tool: str, reveal: RevealedBy | None) -> dict[tuple[str, date], str]:
    """(email, day) -> plan over the closed months: every holder the sandbox knows, or (reveal)
    the holders still listed when the seats were pulled, at the plan listed then."""
    seats = seats_for(state.enterprise)
    held = {}
    for day in closed_month_days():
        listed_on = reveal.listed_on(tool, day) if reveal else None
        for person in seats.seat_holders(tool, day):
            if listed_on is None or seats.holds(tool, person, listed_on):
                plan_day = listed_on or day
                held[(person.email, day)] = seat_plan(state, tool, person.person_id, plan_day)
    return held


def m365_held(state, revealed: bool = True) -> set[tuple[str, date]]:
    """(email, day) of the closed months' Microsoft 365 Copilot seats that the first report reveals
    (still held on its refresh day, in the tenant that names users), or those it does not."""
    seats = seats_for(state.enterprise)
    m365 = state.provider("m365_copilot")
    refreshed = m365.refresh_date()
    return {
        (person.email, day)
        for day in closed_month_days()
        for person in seats.seat_holders("m365_copilot", day)
        if revealed
        == (
            m365.tenant_of(person) != CONCEALED_TENANT
            and seats.holds("m365_copilot", person, refreshed)
        )
    }


def m365_cost(state, month: date, revealed: bool = True) -> Decimal:
    """Those seats' days in `month` at the governance list price / days in the month (EUR)."""
    (price,) = {
        p.price_per_month
        for p in load_governance().seat_prices.prices
        if (p.tool, p.plan) == ("m365_copilot", "microsoft_365_copilot")
        and p.starts_on <= month
        and (p.ends_on is None or p.ends_on > month + timedelta(days=31))
    }
    length = calendar.monthrange(month.year, month.month)[1]
    days = [day for _, day in m365_held(state, revealed) if day.replace(day=1) == month]
    return sum((price / length for _ in days), Decimal(0))


def fct_seats(con, tool: str) -> dict[tuple[str, date], str]:
    return {
        (email, day): plan
        for email, day, plan in con.execute(
            "select seat_holder_email, activity_date, plan from marts.fct_seat_assignments_daily "
            "where tool = ? and activity_date < ?",
            [tool, CLOSED_MONTHS[-1].replace(day=31) + timedelta(days=1)],
        ).fetchall()
    }


@pytest.mark.parametrize("tool", CARRIED_TOOLS)
def test_every_seat_held_in_a_closed_month_is_there_with_its_plan(warehouse, tool):
    con, state = warehouse
    got = fct_seats(con, tool)
    assert got == held_seats(state, tool, revealed())
    # what no seat list reveals, named: GitHub seats removed before the pull (the list no longer
    # has them) and a GitHub plan that changed with a move into the data department before it
    truth = held_seats(state, tool, None)
    seats = seats_for(state.enterprise)
    removed = {
        p.email
        for p in seats.holders[tool]
        if (r := seats.seat_removed_on(tool, p)) and HISTORY_START < r <= PULLED_ON
    }
    missing = {email for email, _ in truth.keys() - got.keys()}
    replanned = {key for key in truth.keys() & got.keys() if truth[key] != got[key]}
    if tool == "github_copilot":
        assert missing == removed and len(removed) == 2
        movers_into_data = {
            state.enterprise.person(e.person_id).email
            for e in state.enterprise.person_events
            if e.kind == "moved"
            and HISTORY_START < e.on <= PULLED_ON
            and state.enterprise.team(e.team_id).department == "data"
        }
        assert {email for email, _ in replanned} == movers_into_data & {
            p.email for p in seats.holders[tool]
        }
        assert {truth[k] for k in replanned} == {"business"}
        assert {got[k] for k in replanned} == {"enterprise"}
    else:
        # Cursor's daily usage lists every member each day: its removed seat is there too
        assert missing == set() and replanned == set()
        assert got == truth
    if tool == "cursor":
        assert removed and removed <= {email for email, _ in got}


def test_carried_back_seats_are_charged_to_the_team_of_the_day(warehouse):
    con, state = warehouse
    enterprise = state.enterprise
    by_email = {p.email: p for p in enterprise.people}
    rows = con.execute(
        "select seat_holder_email, activity_date, team_id from marts.fct_seat_assignments_daily "
        "where is_carried_back and seat_holder_email is not null"
    ).fetchall()
    assert len(rows) > 50_000
    wrong = [
        (email, day, team)
        for email, day, team in rows
        if team != enterprise.team_on(by_email[email].person_id, day)
    ]
    assert wrong == []
    movers = {
        enterprise.person(e.person_id).email
        for e in enterprise.person_events
        if e.kind == "moved" and e.on <= LAST_DAY
    }
    mover_teams = {(email, team) for email, _, team in rows if email in movers}
    assert len(mover_teams) > len({email for email, _ in mover_teams})  # both sides of a move


def test_carried_back_activity_is_only_what_was_known_that_day(warehouse):
    con, state = warehouse
    seats = seats_for(state.enterprise)
    by_email = {p.email: p for p in state.enterprise.people}
    for tool in ("github_copilot", "cursor"):
        rows = con.execute(
            "select seat_holder_email, activity_date, last_activity_date, is_active_on_day, "
            "is_idle from marts.fct_seat_assignments_daily where tool = ? and is_carried_back "
            "and activity_date in (select unnest(?::date[]))",
            [tool, SAMPLE_DAYS],
        ).fetchall()
        assert rows
        for email, day, last, active, idle in rows:
            person = by_email[email]
            assert active == seats.active(tool, person, day), (tool, email, day)
            true_last = seats.last_active_day(tool, person, day)
            # known: the true last activity of the day; else unknown (never a later day)
            assert last in (true_last, None), (tool, email, day, last, true_last)
            if last is None:
                assert true_last is None or true_last < HISTORY_START
                assert idle is None
            else:
                assert idle == ((day - last).days >= 30)


def test_each_closed_months_seat_cost_is_the_sandbox_seat_charges_to_the_cent(warehouse):
    con, state = warehouse
    prices = load_governance().seat_prices
    got = {
        (month, tool, currency): total
        for month, tool, currency, total in con.execute(
            "select billing_month, tool, billing_currency, sum(seat_cost) "
            "from intermediate.int_seat_cost_amortised_daily where billing_month < ? "
            "group by all",
            [CLOSED_MONTHS[-1].replace(day=31)],
        ).fetchall()
    }
    assert all(isinstance(total, Decimal) for total in got.values())
    for month in CLOSED_MONTHS:
        for tool in CARRIED_TOOLS:
            days = {tool: month_days(month)}
            revealed_charges = seat_charges(state, days, prices, revealed_by=revealed())
            (((_, currency), charge),) = revealed_charges.items()
            assert got[(month, tool, currency)].quantize(CENT) == charge.quantize(CENT)
            full = seat_charges(state, days, prices)[(month, currency)]
            if tool != "github_copilot":
                assert charge == full
        # Microsoft 365 Copilot: carried back from Entra ID's licence assignment where the report's
        # principal name matches a user; what the hashing tenant's seats cost is what stays missing
        m365_days = {"m365_copilot": month_days(month)}
        charge = seat_charges(state, m365_days, prices, revealed_by=revealed())[(month, "EUR")]
        assert got[(month, "m365_copilot", "EUR")].quantize(CENT) == charge.quantize(CENT)
        assert charge.quantize(CENT) == m365_cost(state, month).quantize(CENT) > 0
        full = seat_charges(state, m365_days, prices)[(month, "EUR")]
        hidden = m365_cost(state, month, revealed=False)
        assert (full - charge).quantize(CENT) == hidden.quantize(CENT) > 0
    # GitHub's difference to the full truth is the removed and replanned seat days, priced
    truth = held_seats(state, "github_copilot", None)
    listed = held_seats(state, "github_copilot", revealed())
    for month in CLOSED_MONTHS:
        length = calendar.monthrange(month.year, month.month)[1]

        def price(plan: str, day: date) -> Decimal:
            return next(
                p.price_per_month
                for p in prices.prices
                if (p.tool, p.plan) == ("github_copilot", plan)
                and p.starts_on <= day < (p.ends_on or date.max)
            )

        gap = sum(
            (
                (price(plan, day) - (price(listed[k], day) if k in listed else 0)) / length
                for k, plan in truth.items()
                if (day := k[1]).replace(day=1) == month and listed.get(k) != plan
            ),
            Decimal(0),
        )
        days = {"github_copilot": month_days(month)}
        full = seat_charges(state, days, prices)[(month, "USD")]
        assert got[(month, "github_copilot", "USD")].quantize(CENT) == (full - gap).quantize(CENT)
        assert gap != 0


def test_m365_seats_are_carried_back_from_the_copilot_licence_assignment(warehouse):
    con, state = warehouse
    seats = seats_for(state.enterprise)
    by_email = {p.email: p for p in state.enterprise.people}
    got = fct_seats(con, "m365_copilot")
    expected = m365_held(state)
    assert set(got) == expected and len(expected) > 5_000
    # not revealed: the tenant that hashes names, and a seat removed before the report
    m365 = state.provider("m365_copilot")
    hidden = {by_email[email] for email, _ in m365_held(state, revealed=False)}
    concealed = {p for p in hidden if m365.tenant_of(p) == CONCEALED_TENANT}
    removed = {p.email for p in hidden - concealed}
    assert len(concealed) > 100 and len(removed) == 1
    assert seats.seat_removed_on("m365_copilot", by_email[next(iter(removed))]) <= LAST_DAY
    assert set(got.values()) == {"microsoft_365_copilot"}
    # Entra ID lists every one of them: the matchable users are the tenant that names them
    assert {by_email[email].person_id for email, _ in expected} <= m365_matchable(state, PULLED_ON)
    # each from its licence's assignment day (the seat's creation), or the carry-back floor
    firsts = con.execute(
        "select seat_holder_email, min(activity_date) from marts.fct_seat_assignments_daily "
        "where tool = 'm365_copilot' and is_carried_back group by 1"
    ).fetchall()
    assert len(firsts) == len({email for email, _ in expected})
    for email, first in firsts:
        assigned = seats.seat_created_on("m365_copilot", by_email[email])
        assert first == max(assigned, HISTORY_START), email
    # the assignment day is the one Entra ID's assignedPlans names (all before this history)
    assigned = con.execute(
        "select email, min(assigned_on), max(assigned_on), count(*) "
        "from staging.stg_entra_id__copilot_plan_assignments group by 1"
    ).fetchall()
    assert len(assigned) == len(seats.holders["m365_copilot"])
    for email, first_on, last_on, plans in assigned:
        assert first_on == last_on == seats.seat_created_on("m365_copilot", by_email[email])
        assert plans == 1  # the default Copilot service plan only, not the Teams plan
    # the tenant that hashes names is not carried back; its seats start at its first report
    concealed = con.execute(
        "select min(activity_date), bool_or(is_carried_back), count(distinct seat_holder_key) "
        "from marts.fct_seat_assignments_daily where tool = 'm365_copilot' and is_concealed"
    ).fetchone()
    assert concealed[0] == LAST_DAY and concealed[1] is False and concealed[2] > 100
    # carried-back activity: known only when the report's last activity is on or before the day
    rows = con.execute(
        "select seat_holder_email, activity_date, last_activity_date, is_active_on_day "
        "from marts.fct_seat_assignments_daily where tool = 'm365_copilot' and is_carried_back "
        "and activity_date in (select unnest(?::date[]))",
        [SAMPLE_DAYS],
    ).fetchall()
    known = 0
    for email, day, last, active in rows:
        person = by_email[email]
        if last is None:
            assert active is None, (email, day)
            continue
        known += 1
        assert last == seats.last_active_day("m365_copilot", person, day), (email, day)
        assert active == seats.active("m365_copilot", person, day) == (last == day)
    assert rows and known
