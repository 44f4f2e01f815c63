"""The identity sources through landing and dbt into dim_person and rpt_identity_disagreements.

Two daily snapshots of all four directories are pulled over HTTP from the sandbox, with its clock
before and after a stretch of planted changes (a team move, leavers, reinstatements, the Okta-only
suspension), then built with dbt into a temporary DuckDB. Expectations come from the sandbox
enterprise, not from the warehouse.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import duckdb
import pyarrow.parquet as pq
import pytest

from connectors.config import SourceConfig
from governance.load import load_governance
from orchestration.defs.ingest.entra_id import assets as entra_assets
from orchestration.defs.ingest.google_workspace import assets as google_assets
from orchestration.defs.ingest.okta import assets as okta_assets
from orchestration.defs.ingest.scim import assets as scim_assets
from orchestration.lib.ingest import land_entity
from orchestration.lib.partitions import RefreshWindow
from sandbox.identity import employee_id, team_display_name
from sandbox.providers.entra_id import TENANT_ID
from sandbox.server import SandboxServer, SandboxState
from tests.dbt_build import dbt_build
from warehouse.paths import Paths

FIRST, SECOND = date(2026, 9, 3), date(2026, 9, 12)
MODELS = [
    "stg_okta__users",
    "stg_okta__groups",
    "stg_entra_id__users",
    "stg_google_workspace__users",
    "stg_scim__users",
    "stg_governance__teams",
    "stg_governance__person_aliases",
    "int_identity_records_unioned",
    "int_identity_records_matched",
    "stg_okta__group_membership_events",
    "int_team_memberships",
    "int_identity_person_days",
    "int_person_days_resolved",
    "int_person_versions",
    "dim_person",
    "rpt_identity_disagreements",
]
SOURCES = [
    ("okta", SourceConfig(id="okta_test", type="okta", secret_env="OKTA_API_TOKEN"), okta_assets),
    (
        "entra_id",
        SourceConfig(
            id="entra_id_test",
            type="entra_id",
            secret_env="ENTRA_CLIENT_SECRET",
            organization_id=TENANT_ID,
        ),
        entra_assets,
    ),
    (
        "google_workspace",
        SourceConfig(
            id="google_workspace_test", type="google_workspace", secret_env="GOOGLE_WORKSPACE_TOKEN"
        ),
        google_assets,
    ),
    ("scim", SourceConfig(id="scim_test", type="scim", secret_env="SCIM_TOKEN"), scim_assets),
]


def land_snapshot(server: SandboxServer, day: date, paths: Paths) -> None:
    """Pull every directory with the sandbox clock on `day`, landed as that day's snapshot."""
    server.state.as_of = datetime.combine(day, time(6), UTC)
    window = RefreshWindow(day, day + timedelta(days=1))
    for source_type, source, module in SOURCES:
        for entity in module.ENTITIES:
            land_entity(source_type, entity, source, window, paths, module.open_client)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("identity")
    landing = base / "data" / "landing"
    with pytest.MonkeyPatch.context() as patch, SandboxServer(SandboxState()) as server:
        for name, value in server.environment().items():
            patch.setenv(name, value)
        patch.setenv("AIUW_DATA_DIR", str(base / "data"))
        patch.setenv("AIUW_LANDING_DIR", str(landing))
        paths = Paths.from_env()
        land_snapshot(server, FIRST, paths)
        land_snapshot(server, SECOND, paths)
        enterprise = server.state.enterprise
        planted = server.state.provider("okta").directory.planted
    (landing / "governance").mkdir(parents=True)
    tables = load_governance().tables()
    for name in ("teams", "person_aliases"):
        pq.write_table(tables[name], landing / "governance" / f"{name}.parquet")
    database = base / "warehouse.duckdb"
    dbt_build(base, database, landing, MODELS, cautious=True, timeout=600)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, enterprise, planted


def versions(con, email: str) -> list[tuple]:
    return con.execute(
        """
        select team_id, team_name, department, cost_center_id, status, valid_from, valid_to,
               is_current, suspended_at, left_at
        from marts.dim_person where email = ? order by valid_from
        """,
        [email],
    ).fetchall()


def events(enterprise, kind: str) -> list:
    return [e for e in enterprise.person_events if e.kind == kind and FIRST < e.on <= SECOND]


def test_a_mover_is_in_the_old_team_before_the_move_and_the_new_team_from_it(warehouse):
    con, enterprise, _ = warehouse
    (move,) = events(enterprise, "moved")
    person = enterprise.person(move.person_id)
    old, new = enterprise.team(person.team_id), enterprise.team(move.team_id)
    rows = versions(con, person.email)
    assert [r[:8] for r in rows] == [
        (
            old.team_id,
            team_display_name(old.team_id),
            old.department,
            old.cost_center_id,
            "active",
            FIRST,
            move.on,
            False,
        ),
        (
            new.team_id,
            team_display_name(new.team_id),
            new.department,
            new.cost_center_id,
            "active",
            move.on,
            None,
            True,
        ),
    ]
    # the usage join: the day before the move charges the old team, the move day the new one
    for day, team in ((move.on - timedelta(days=1), old.team_id), (move.on, new.team_id)):
        (got,) = con.execute(
            """
            select team_id from marts.dim_person
            where email = ? and valid_from <= ? and (valid_to is null or ? < valid_to)
            """,
            [person.email, day, day],
        ).fetchone()
        assert got == team


def test_leavers_have_their_status_and_left_date(warehouse):
    con, enterprise, _ = warehouse
    leavers = events(enterprise, "left")
    assert len(leavers) >= 2
    for leaver in leavers:
        rows = versions(con, enterprise.person(leaver.person_id).email)
        assert [(r[4], r[5], r[6], r[7]) for r in rows][-2:] == [
            ("active", FIRST, leaver.on, False),
            ("departed", leaver.on, None, True),
        ]
        assert rows[-1][9] == datetime.combine(leaver.on, time())
        assert rows[0][9] is None
    # who left before the first snapshot is departed from it, with the date Okta recorded
    earlier = [e for e in enterprise.person_events if e.kind == "left" and e.on <= FIRST]
    assert earlier
    for leaver in earlier:
        rows = versions(con, enterprise.person(leaver.person_id).email)
        assert rows[0][5] == FIRST
        assert {(r[4], r[9]) for r in rows} == {("departed", datetime.combine(leaver.on, time()))}


def test_reinstated_people_are_active_again_from_the_day_okta_says(warehouse):
    con, enterprise, _ = warehouse
    reinstated = events(enterprise, "reinstated")
    assert reinstated
    for event in reinstated:
        rows = versions(con, enterprise.person(event.person_id).email)
        assert [(r[4], r[6]) for r in rows] == [("suspended", event.on), ("active", None)]
        assert rows[1][5] == event.on
        assert rows[0][8] is not None and rows[0][8].date() < FIRST


def test_the_okta_only_suspension_is_a_disagreement_resolved_to_suspended(warehouse):
    con, enterprise, planted = warehouse
    person = enterprise.person(planted.okta_only_suspended)
    rows = con.execute(
        """
        select d.snapshot_date, d.scim_value, d.okta_value, d.entra_id_value,
               d.google_workspace_value, d.resolved_value, d.resolved_source, d.resolution_rule
        from marts.rpt_identity_disagreements as d
        join marts.dim_person as p on p.person_id = d.person_id and p.is_current
        where p.email = ? and d.attribute = 'status'
        """,
        [person.email],
    ).fetchall()
    assert rows == [
        (SECOND, "active", "suspended", "active", "active", "suspended", "okta", "most_restrictive")
    ]
    current = versions(con, person.email)
    assert [(r[4], r[5], r[6]) for r in current] == [
        ("active", FIRST, planted.okta_only_suspended_on),
        ("suspended", planted.okta_only_suspended_on, None),
    ]
    assert current[1][8] == datetime.combine(planted.okta_only_suspended_on, time())
    # attributes still follow the precedence: SCIM first
    (source_count,) = con.execute(
        "select source_count from marts.dim_person where email = ? and is_current", [person.email]
    ).fetchone()
    assert source_count == 4


def test_aliases_case_and_single_directory_people(warehouse):
    con, enterprise, planted = warehouse
    people = con.execute("select count(distinct person_id) from marts.dim_person").fetchone()[0]
    assert people == len(enterprise.people)
    for person_id in (planted.google_alias_email, planted.google_case_email):
        person = enterprise.person(person_id)
        ((email, employee, source_count),) = con.execute(
            """
            select email, employee_id, source_count from marts.dim_person
            where employee_id = ? and is_current
            """,
            [employee_id(person)],
        ).fetchall()
        assert (email, employee, source_count) == (person.email, employee_id(person), 4)
    matched = con.execute(
        """
        select source_type, match_rule from intermediate.int_identity_records_matched
        where email = ? and snapshot_date = ?
        """,
        [planted.google_alias, SECOND],
    ).fetchall()
    assert matched == [("google_workspace", "alias")]
    only = enterprise.person(planted.okta_only_person)
    listed = con.execute(
        """
        select d.snapshot_date, d.okta_value, d.scim_value, d.entra_id_value, d.google_workspace_value
        from marts.rpt_identity_disagreements as d
        join marts.dim_person as p on p.person_id = d.person_id
        where p.email = ? and d.attribute = 'listed'
        order by 1
        """,
        [only.email],
    ).fetchall()
    assert listed == [
        (FIRST, "listed", "absent", "absent", "absent"),
        (SECOND, "listed", "absent", "absent", "absent"),
    ]


def test_managers_resolve_to_people_and_every_current_team_is_governed(warehouse):
    con, _, _ = warehouse
    unresolved, without_team, current, people = con.execute(
        """
        select
            count(*) filter (where manager_email is not null and manager_person_id is null),
            count(*) filter (where team_id is null),
            count(*) filter (where is_current),
            count(distinct person_id)
        from marts.dim_person
        """
    ).fetchone()
    assert (unresolved, without_team) == (0, 0)
    assert current == people
    managed = con.execute(
        """
        select count(*) from marts.dim_person as p
        join marts.dim_person as m on m.person_id = p.manager_person_id and m.is_current
        where p.is_current and p.team_id = m.team_id
        """
    ).fetchone()[0]
    assert managed > 2000
