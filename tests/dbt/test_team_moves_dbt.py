"""Team moves in a backfill: the directories are pulled once, after every planted move, and Okta's
System Log dates the moves. dim_person must put each person in the team the sandbox enterprise says
they were in on each day since history_start, and leavers active until the day they left."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from sandbox.identity import team_display_name
from sandbox.server import SandboxState
from tests.backfill_landing import land_backfill
from tests.dbt.test_identity_dbt import MODELS, SOURCES
from tests.dbt_build import dbt_build

HISTORY_START, PULLED_ON = date(2026, 8, 1), date(2026, 11, 19)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("team_moves")
    state = SandboxState()
    # one backfill run the morning after PULLED_ON: snapshots dated its last day, the log every day
    landing = land_backfill(
        base,
        SOURCES,
        HISTORY_START,
        PULLED_ON + timedelta(days=1),
        ("teams", "person_aliases"),
        state,
    )
    enterprise = state.enterprise
    database = base / "warehouse.duckdb"
    dbt_build(
        base,
        database,
        landing,
        MODELS,
        cautious=True,
        timeout=600,
        dbt_vars={"history_start": HISTORY_START.isoformat()},
    )
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, enterprise


def team_on(con, email: str, day: date) -> tuple:
    return con.execute(
        """
        select team_id, team_name, cost_center_id, status from marts.dim_person
        where email = ? and valid_from <= ? and (valid_to is null or ? < valid_to)
        """,
        [email, day, day],
    ).fetchall()


def test_each_mover_is_in_the_old_team_before_the_move_day_and_the_new_one_from_it(warehouse):
    con, enterprise = warehouse
    moves = [e for e in enterprise.person_events if e.kind == "moved"]
    assert len(moves) == 12
    for move in moves:
        email = enterprise.person(move.person_id).email
        old = enterprise.team(enterprise.team_on(move.person_id, move.on - timedelta(days=1)))
        new = enterprise.team(move.team_id)
        assert old.team_id != new.team_id
        before = team_on(con, email, move.on - timedelta(days=1))
        after = team_on(con, email, move.on)
        assert [row[:3] for row in before] == [
            (old.team_id, team_display_name(old.team_id), old.cost_center_id)
        ]
        assert [row[:3] for row in after] == [
            (new.team_id, team_display_name(new.team_id), new.cost_center_id)
        ]
        assert team_on(con, email, HISTORY_START)[0][0] == old.team_id


def test_every_person_is_in_the_sandbox_team_of_the_day_back_to_history_start(warehouse):
    con, enterprise = warehouse
    days = [HISTORY_START, date(2026, 9, 15), date(2026, 10, 20), PULLED_ON]
    got = dict(
        ((email, day), team)
        for email, day, team in con.execute(
            """
            select p.email, d.day, p.team_id
            from marts.dim_person as p
            inner join (select unnest(?::date[]) as day) as d
                on p.valid_from <= d.day and (p.valid_to is null or d.day < p.valid_to)
            """,
            [days],
        ).fetchall()
    )
    expected = {
        (person.email, day): enterprise.team_on(person.person_id, day)
        for person in enterprise.people
        for day in days
    }
    assert {key: got.get(key) for key in expected} == expected


def test_leavers_are_active_until_the_day_they_left(warehouse):
    con, enterprise = warehouse
    leavers = [e for e in enterprise.person_events if e.kind == "left" and e.on <= PULLED_ON]
    assert len(leavers) >= 5
    for left in leavers:
        email = enterprise.person(left.person_id).email
        assert [r[3] for r in team_on(con, email, left.on - timedelta(days=1))] == ["active"]
        assert [r[3] for r in team_on(con, email, left.on)] == ["departed"]


def test_without_history_start_history_begins_at_the_snapshot(warehouse):
    con, _ = warehouse
    first = con.execute("select min(valid_from) from marts.dim_person").fetchone()[0]
    assert first == HISTORY_START
