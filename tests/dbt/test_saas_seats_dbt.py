"""The SaaS AI tool sources landed by their connectors from the sandbox, then dbt: the seat-activity
intermediate shows exactly the sandbox's planted idle seats, leavers who still hold seats, people
active after leaving, the mover active on both sides of the move, Cursor spend in dollars, and the
concealed Microsoft 365 tenant's rows kept and flagged; and the seat mart prices every seat, flags idle
ones and charges the holder's team of the day (identity sources landed as in test_identity_dbt)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import duckdb
import pyarrow.parquet as pq
import pytest

from connectors.config import SourceConfig
from governance.load import load_governance
from orchestration.defs.ingest.chatgpt_enterprise import assets as chatgpt_assets
from orchestration.defs.ingest.cursor import assets as cursor_assets
from orchestration.defs.ingest.github_copilot import assets as github_assets
from orchestration.defs.ingest.m365_copilot import assets as m365_assets
from orchestration.lib.ingest import land_entity
from orchestration.lib.partitions import RefreshWindow
from sandbox.providers.chatgpt_enterprise import WORKSPACE_ID
from sandbox.providers.m365_copilot import CONCEALED_TENANT, MAIN_TENANT, REFRESH_LAG
from sandbox.saas_seats import hashed_name
from sandbox.server import SandboxServer, SandboxState
from tests.dbt.test_identity_dbt import FIRST, SECOND, land_snapshot
from tests.dbt_build import dbt_build
from warehouse.paths import Paths

ACTIVITY_START, END = date(2026, 8, 20), date(2026, 9, 21)
SNAPSHOT_DAYS = [date(2026, 9, 7) + timedelta(days=n) for n in range(14)]  # 09-07 .. 09-20
DAY = SNAPSHOT_DAYS[-1]
FAILED_SEAT_PULL = ("github_copilot", date(2026, 9, 14))  # that day's seat snapshot never landed
MODELS = [
    "stg_github_copilot__seats",
    "stg_github_copilot__user_metrics",
    "stg_github_copilot__user_model_feature_metrics",
    "stg_github_copilot__organization_metrics",
    "stg_github_copilot__premium_request_usage",
    "stg_cursor__members",
    "stg_cursor__daily_usage",
    "stg_cursor__usage_events",
    "stg_cursor__spend",
    "stg_m365_copilot__usage_user_details",
    "stg_chatgpt_enterprise__users",
    "int_saas_seat_activity_daily",
    "+fct_seat_assignments_daily",
    "int_findings_paid_seat_held_by_inactive_person",
]
SOURCES = {
    "github_copilot": [
        SourceConfig(id="gh_test", type="github_copilot", organization_id="example-corp")
    ],
    "cursor": [SourceConfig(id="cursor_test", type="cursor")],
    "m365_copilot": [
        SourceConfig(id="m365_main", type="m365_copilot", organization_id=MAIN_TENANT),
        SourceConfig(id="m365_emea", type="m365_copilot", organization_id=CONCEALED_TENANT),
    ],
    "chatgpt_enterprise": [
        SourceConfig(id="chatgpt_test", type="chatgpt_enterprise", organization_id=WORKSPACE_ID)
    ],
}
ASSETS = {
    "github_copilot": github_assets,
    "cursor": cursor_assets,
    "m365_copilot": m365_assets,
    "chatgpt_enterprise": chatgpt_assets,
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("saas_seats")
    state = SandboxState()
    with SandboxServer(state) as server, pytest.MonkeyPatch.context() as patch:
        for name, value in server.environment().items():
            patch.setenv(name, value)
        patch.setenv("AIUW_DATA_DIR", str(base / "data"))
        patch.setenv("AIUW_LANDING_DIR", str(base / "data" / "landing"))
        paths = Paths.from_env()
        for source_type, module in ASSETS.items():
            for entity in module.ENTITIES:
                for source in SOURCES[source_type]:
                    if entity.day_of:  # daily activity: one pull of the whole window
                        state.as_of = datetime.combine(END, time(6), UTC)
                        window = RefreshWindow(ACTIVITY_START, END)
                        land_entity(source_type, entity, source, window, paths, module.open_client)
                        continue
                    for day in SNAPSHOT_DAYS:  # snapshots: pulled at the end of each day
                        if (source_type, day) == FAILED_SEAT_PULL:
                            continue
                        state.as_of = datetime.combine(day, time(23), UTC)
                        window = RefreshWindow(day, day + timedelta(days=1))
                        land_entity(source_type, entity, source, window, paths, module.open_client)
        for day in (FIRST, SECOND):  # the identity directories, for dim_person
            land_snapshot(server, day, paths)
    governance = base / "data" / "landing" / "governance"
    governance.mkdir(parents=True)
    tables = load_governance().tables()
    for name in ("teams", "person_aliases", "seat_prices"):
        pq.write_table(tables[name], governance / f"{name}.parquet")
    database = base / "warehouse.duckdb"
    dbt_build(base, database, base / "data" / "landing", MODELS, cautious=True, timeout=600)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, state


def rows(con, sql: str, *params) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def keys(con, tool: str, day: date, where: str = "true") -> set[str]:
    return {
        key
        for (key,) in rows(
            con,
            f"select seat_holder_key from intermediate.int_saas_seat_activity_daily "
            f"where tool = ? and activity_date = ? and {where}",
            tool,
            day,
        )
    }


def m365_key(seats, person) -> str:
    return hashed_name(person.email) if seats.concealed(person) else person.email


@pytest.mark.parametrize("tool", ["github_copilot", "cursor", "chatgpt_enterprise"])
def test_seats_of_the_day_are_the_holders(warehouse, tool):
    con, state = warehouse
    seats = state.provider("github_copilot").seats
    assert keys(con, tool, DAY) == {p.email for p in seats.seat_holders(tool, DAY)}


@pytest.mark.parametrize("tool", ["github_copilot", "cursor"])
def test_idle_seats_are_exactly_the_planted_ones(warehouse, tool):
    con, state = warehouse
    seats = state.provider("github_copilot").seats
    idle = keys(con, tool, DAY, "(last_activity_date is null or days_since_last_activity >= 30)")
    assert idle == seats.idle_emails(tool, DAY)
    assert {p.email for p in seats.idle[tool]} <= idle
    # GitHub's seat list carries the last activity; Cursor's only comes from the daily usage
    # landed so far, so activity before the first landed day is unknown there
    known_from = date.min if tool == "github_copilot" else ACTIVITY_START
    never = keys(con, tool, DAY, "last_activity_date is null")
    assert never == {
        p.email
        for p in seats.seat_holders(tool, DAY)
        if (seats.last_active_day(tool, p, DAY) or date.min) < known_from
        or seats.last_active_day(tool, p, DAY) is None
    }


def test_m365_idle_seats_follow_the_report_lag(warehouse):
    con, state = warehouse
    seats = state.provider("m365_copilot").seats
    refreshed = DAY - REFRESH_LAG
    expected = set()
    for person in seats.seat_holders("m365_copilot", refreshed):
        last = seats.last_active_day("m365_copilot", person, refreshed)
        if last is None or (DAY - last).days >= 30:
            expected.add(m365_key(seats, person))
    idle = keys(
        con, "m365_copilot", DAY, "(last_activity_date is null or days_since_last_activity >= 30)"
    )
    assert idle == expected and len(idle) >= len(seats.idle["m365_copilot"]) // 2


@pytest.mark.parametrize("tool", ["github_copilot", "chatgpt_enterprise"])
def test_leavers_still_holding_seats(warehouse, tool):
    con, state = warehouse
    enterprise = state.enterprise
    seats = state.provider("github_copilot").seats
    by_email = {p.email: p for p in enterprise.people}
    held = keys(con, tool, DAY)
    departed = {e for e in held if enterprise.status_on(by_email[e].person_id, DAY) == "departed"}
    assert departed == seats.leavers_with_seats(tool, DAY)
    assert departed  # planted: at least one in each of these tools by 2026-09-20
    # a leaver whose seat was removed a week after leaving is gone from the seat list
    removed = [
        p
        for p in seats.holders[tool]
        if (r := seats.seat_removed_on(tool, p)) is not None and r <= DAY
    ]
    assert not {p.email for p in removed} & held


def test_activity_after_leaving_is_visible(warehouse):
    con, state = warehouse
    enterprise = state.enterprise
    seats = state.provider("github_copilot").seats
    by_email = {p.email: p for p in enterprise.people}
    found = {
        (email, day)
        for email, day in rows(
            con,
            "select seat_holder_email, activity_date from intermediate.int_saas_seat_activity_daily "
            "where tool = 'github_copilot' and is_active_on_day",
        )
        if enterprise.status_on(by_email[email].person_id, day) == "departed"
    }
    expected = seats.active_after_leaving_days("github_copilot", SNAPSHOT_DAYS[0], END)
    assert found == expected and len(expected) >= 5


def test_the_mover_is_active_before_and_after_the_move(warehouse):
    con, state = warehouse
    seats = state.provider("github_copilot").seats
    mover = seats.mover
    (move,) = [e.on for e in state.enterprise.events_of(mover.person_id) if e.kind == "moved"]
    for tool in ("github_copilot", "cursor"):
        active = {
            day
            for (day,) in rows(
                con,
                "select activity_date from intermediate.int_saas_seat_activity_daily "
                "where tool = ? and seat_holder_email = ? and is_active_on_day",
                tool,
                mover.email,
            )
        }
        assert any(d < move for d in active) and any(d >= move for d in active)
        assert active == {d for d in SNAPSHOT_DAYS if d.weekday() < 5}
    assert state.enterprise.team_on(
        mover.person_id, move - timedelta(days=1)
    ) != state.enterprise.team_on(mover.person_id, move)


def test_active_flags_equal_the_sandbox_activity(warehouse):
    con, state = warehouse
    seats = state.provider("github_copilot").seats
    for tool in ("github_copilot", "cursor"):
        for day in (SNAPSHOT_DAYS[0], date(2026, 9, 15), DAY):
            assert keys(con, tool, day, "is_active_on_day") == {
                p.email for p in seats.active_people(tool, day)
            }
    # the report lags two days: today's flag is unknown, earlier days exact
    assert keys(con, "m365_copilot", DAY, "is_active_on_day is not null") == set()
    day = date(2026, 9, 15)
    assert keys(con, "m365_copilot", day, "is_active_on_day") == {
        m365_key(seats, p) for p in seats.active_people("m365_copilot", day)
    }
    assert keys(con, "chatgpt_enterprise", DAY, "is_active_on_day is not null") == set()


def test_concealed_m365_rows_are_kept_and_flagged(warehouse):
    con, state = warehouse
    provider = state.provider("m365_copilot")
    refreshed = DAY - REFRESH_LAG
    concealed = provider.licensed(CONCEALED_TENANT, refreshed)
    visible = provider.licensed(MAIN_TENANT, refreshed)
    counts = dict(
        rows(
            con,
            "select is_concealed, count(*) from intermediate.int_saas_seat_activity_daily "
            "where tool = 'm365_copilot' and activity_date = ? group by is_concealed",
            DAY,
        )
    )
    assert counts == {True: len(concealed), False: len(visible)}
    flagged = rows(
        con,
        "select seat_holder_email, seat_holder_key from intermediate.int_saas_seat_activity_daily "
        "where tool = 'm365_copilot' and activity_date = ? and is_concealed",
        DAY,
    )
    assert all(email is None for email, _ in flagged)
    assert {key for _, key in flagged} == {hashed_name(p.email) for p in concealed}


def test_cursor_spend_is_usage_based_cents_in_exact_dollars(warehouse):
    con, state = warehouse
    provider = state.provider("cursor")
    day = date(2026, 9, 15)
    expected = sum(
        (
            provider.event_cents(e)
            for p in provider.seats.holders["cursor"]
            for e in provider.events(p, day)
            if e["kind"] == "Usage-based"
        ),
        Decimal(0),
    )
    ((total, currencies),) = rows(
        con,
        "select sum(spend_usd), count(distinct spend_currency) from "
        "intermediate.int_saas_seat_activity_daily where tool = 'cursor' and activity_date = ?",
        day,
    )
    assert isinstance(total, Decimal)
    assert total == expected / 100 > 0
    assert currencies == 1


def mart(con, sql: str, *params) -> list[tuple]:
    return rows(con, sql.replace("{mart}", "marts.fct_seat_assignments_daily"), *params)


def test_every_seat_is_priced_from_governance(warehouse):
    con, _ = warehouse
    prices = {
        (tool, plan): price
        for tool, plan, price in mart(
            con, "select distinct tool, plan, list_price_per_seat_month from {mart}"
        )
    }
    assert prices == {
        ("github_copilot", "business"): Decimal("19"),
        ("github_copilot", "enterprise"): Decimal("39"),
        ("cursor", "teams"): Decimal("40"),
        ("m365_copilot", "microsoft_365_copilot"): Decimal("28.10"),  # billed in EUR
        ("chatgpt_enterprise", "enterprise"): Decimal("60"),
    }
    ((seats, intermediate),) = mart(
        con,
        "select (select count(*) from {mart}), "
        "(select count(*) from intermediate.int_saas_seat_activity_daily)",
    )
    assert seats == intermediate


@pytest.mark.parametrize("tool", ["github_copilot", "cursor"])
def test_idle_flag_is_the_planted_truth(warehouse, tool):
    con, state = warehouse
    seats = state.provider("github_copilot").seats
    idle = {
        email
        for (email,) in mart(
            con,
            "select seat_holder_email from {mart} where tool = ? and activity_date = ? and is_idle",
            tool,
            DAY,
        )
    }
    assert idle == seats.idle_emails(tool, DAY, idle_days=30)
    unknown = mart(
        con, "select count(*) from {mart} where tool = 'chatgpt_enterprise' and is_idle is not null"
    )
    assert unknown == [(0,)]


def test_leavers_holding_seats_show_as_departed(warehouse):
    con, state = warehouse
    seats = state.provider("github_copilot").seats
    for tool in ("github_copilot", "chatgpt_enterprise"):
        departed = {
            email
            for (email,) in mart(
                con,
                "select seat_holder_email from {mart} where tool = ? and activity_date = ? "
                "and person_status = 'departed'",
                tool,
                DAY,
            )
        }
        assert departed == seats.leavers_with_seats(tool, DAY)


def test_the_mover_is_charged_to_the_team_of_each_day(warehouse):
    con, state = warehouse
    mover = state.provider("github_copilot").seats.mover
    teams = dict(
        mart(
            con,
            "select activity_date, team_id from {mart} where tool = 'github_copilot' "
            "and seat_holder_email = ?",
            mover.email,
        )
    )
    for day in (date(2026, 9, 7), date(2026, 9, 8), SECOND, DAY):
        assert teams[day] == state.enterprise.team_on(mover.person_id, day)
    assert teams[date(2026, 9, 8)] != teams[DAY]


def test_concealed_seats_have_no_person(warehouse):
    con, _ = warehouse
    ((concealed, matched),) = mart(
        con,
        "select count(*), count(person_id) from {mart} "
        "where tool = 'm365_copilot' and activity_date = ? and is_concealed",
        DAY,
    )
    assert concealed > 100 and matched == 0
    ((visible, visible_matched),) = mart(
        con,
        "select count(*), count(person_id) from {mart} "
        "where tool = 'm365_copilot' and activity_date = ? and not is_concealed",
        DAY,
    )
    assert visible == visible_matched > 50


def test_a_day_whose_seat_pull_failed_keeps_the_last_known_seats_flagged(warehouse):
    con, state = warehouse
    tool, day = FAILED_SEAT_PULL
    seats = state.provider("github_copilot").seats
    day_before = {p.email for p in seats.seat_holders(tool, day - timedelta(days=1))}
    assert keys(con, tool, day) == day_before
    assert keys(con, tool, day, "is_carried_forward") == day_before
    flagged = rows(
        con,
        "select tool, activity_date, count(*) from intermediate.int_saas_seat_activity_daily "
        "where is_carried_forward group by 1, 2",
    )
    assert flagged == [(tool, day, len(day_before))]
    assert rows(
        con,
        "select count(*) from marts.fct_seat_assignments_daily where is_carried_forward",
    ) == [(len(day_before),)]


def test_paid_seats_of_people_who_left_or_were_suspended_are_findings(warehouse):
    con, state = warehouse
    seats = state.provider("github_copilot").seats
    found = rows(
        con,
        "select credential_provider, credential_id, count(*) from"
        " intermediate.int_findings_paid_seat_held_by_inactive_person"
        " where usage_date = ? group by all",
        DAY,
    )
    expected = {
        (tool, email)
        for tool in ("github_copilot", "cursor", "m365_copilot", "chatgpt_enterprise")
        for email in seats.inactive_holders(tool, DAY)
    }
    assert {(tool, email) for tool, email, _ in found} == expected
    assert len(expected) >= 4 and {n for _, _, n in found} == {1}, "one finding per seat and day"
