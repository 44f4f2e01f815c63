"""The served release in a real PostgreSQL server: releases published from a small fixture warehouse
are served (warehouse/serve_postgres.py), then read as the BI tools' logins would.

- a cost-centre login sees exactly its cost centres' lines of the cost and chargeback marts, with
  the totals of the DuckDB release for those cost centres, and nothing of the other marts;
- the BI role sees every row and cannot write or create anything;
- the dbt descriptions are the tables' and columns' comments; money stays exact;
- a reader holding a query open across two publishes keeps reading its release to the end, the
  publishes neither wait for it nor break it, and new readers see the newest release;
- a failed quality gate (through the Dagster publish asset) serves nothing: the served release's id
  and rows stay as they were.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import psycopg2
import pytest

from alerting.operational import evaluate
from connectors.config import ServeSettings
from governance.schema import BiAccessFile, CostCenterMart, OperationsThresholds
from tests.postgres_server import postgres_server, unavailable_reason
from warehouse.paths import Paths
from warehouse.publish import People, current_dir, publish
from warehouse.run_status import read_status, serve_path
from warehouse.serve_postgres import ACCESS_SCHEMA, LOCK_TIMEOUT, ServeError, serve

MARTS = ["dim_model", "fct_ai_cost_daily", "rpt_chargeback_monthly"]
SECURED = {"fct_ai_cost_daily": "billed_cost", "rpt_chargeback_monthly": "billed_cost"}
COST_CENTRES = ["CC-110", "CC-111", "CC-112", "unattributed"]
DATABASE = "served"
DSN_ENV = "AIUW_TEST_SERVED_DSN"
PEOPLE = People(
    key=b"served-release-test-key-32-bytes", columns={"fct_ai_cost_daily": {"person_id": "id"}}
)
LOGINS = {
    "finance": None,  # aiuw_bi
    "cc_research": ["CC-110"],
    "cc_platform": ["CC-111", "CC-112"],
    "cc_nobody": ["CC-999"],  # a cost centre with no lines
}
ACCESS = BiAccessFile.model_validate(
    {
        "bi_logins": ["finance"],
        "people_logins": ["hr"],
        "cost_center_logins": [
            {"login": login, "cost_centers": centres}
            for login, centres in LOGINS.items()
            if centres
        ],
        "cost_center_marts": [
            {"mart": "fct_ai_cost_daily", "column": "cost_center_id"},
            {"mart": "rpt_chargeback_monthly", "column": "cost_center_id"},
        ],
    }
)
DOCS = {
    "fct_ai_cost_daily": {
        "description": "One row per cost line and day; billed_cost in billing_currency.",
        "columns": {"billed_cost": "Billed cost, exact to 10 decimal places.", "missing": "x"},
    },
    "rpt_chargeback_monthly": {
        "description": "Monthly chargeback by cost centre, team and provider.",
        "columns": {"cost_center_id": "The cost centre charged ('unattributed' when none)."},
    },
    "dim_model": {"description": "Models governance knows.", "columns": {}},
}


def write_warehouse(path: Path, version: int) -> None:
    """Marts whose rows and amounts differ per version; money as DECIMAL with odd fractions."""
    centres = "['" + "','".join(COST_CENTRES) + "']"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.fct_ai_cost_daily as select "
            "'c' || i as cost_key, date '2026-09-01' + cast(i % 30 as integer) as usage_date, "
            f"{centres}[1 + i % 4] as cost_center_id, i % 3 = 0 as is_attributed, "
            f"cast({version} + i / 7 as decimal(38,10)) as billed_cost, "
            "'person' || (i % 7) || '@example.com' as person_id, "
            "timestamp '2026-09-01 00:00:00' + to_hours(i % 24) as charge_period_start "
            f"from range({3000 + version}) t(i)"
        )
        con.execute(
            "create or replace table marts.rpt_chargeback_monthly as select "
            "'k' || i as chargeback_key, date '2026-09-01' as billing_month, "
            f"{centres}[1 + i % 4] as cost_center_id, 'team_' || (i % 5) as team_id, "
            f"cast({version} * 1000 + i * 1.37 as decimal(38,2)) as billed_cost, "
            f"cast(i * 11 + {version} as bigint) as total_tokens "
            f"from range({200 + version}) t(i)"
        )
        con.execute(
            f"create or replace table marts.dim_model as select 'model_' || i as model_id, "
            f"{version} as version from range(5) t(i)"
        )


class Served:
    """The server, the published directory and one publish (and serve) per call."""

    def __init__(self, server, base: Path) -> None:
        self.server, self.base = server, base
        self.published = base / "published"
        self.warehouse = base / "warehouse.duckdb"
        self.uri = f"postgresql://{server.user}@{server.host}:{server.port}/{DATABASE}"
        self.version = 0

    def publish(self) -> Path:
        self.version += 1
        write_warehouse(self.warehouse, self.version)
        release = publish(
            self.warehouse,
            self.published,
            MARTS,
            f"run{self.version:05d}",
            docs=DOCS,
            people=PEOPLE,
        )
        return release.directory

    def publish_and_serve(self):
        return serve(self.publish(), self.uri, ACCESS)

    def connect(self, login: str | None = None):
        con = psycopg2.connect(
            host=self.server.host,
            port=self.server.port,
            user=login or self.server.user,
            dbname=DATABASE,
        )
        con.autocommit = True
        return con

    def query(self, sql: str, login: str | None = None) -> list[tuple]:
        con = self.connect(login)
        try:
            with con.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall()
        finally:
            con.close()

    def release_totals(self, release_dir: Path, mart: str, centres: list[str] | None) -> tuple:
        """(lines, sum of the money column) in the DuckDB release, for `centres` (None: all)."""
        where = (
            ""
            if centres is None
            else "where cost_center_id in (" + ",".join("?" * len(centres)) + ")"
        )
        with duckdb.connect(str(release_dir / "warehouse.duckdb"), read_only=True) as con:
            keys = sorted(
                r[0]
                for r in con.execute(
                    f"select {key(mart)} from {mart} {where}", centres or []
                ).fetchall()
            )
            total = con.execute(
                f"select sum({SECURED[mart]}) from {mart} {where}", centres or []
            ).fetchone()[0]
        return keys, total


def served_events(result) -> list:
    return [
        e.event_specific_data
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey(["published", "postgres"])
    ]


def key(mart: str) -> str:
    return "cost_key" if mart == "fct_ai_cost_daily" else "chargeback_key"


def served_totals(served: Served, mart: str, login: str) -> tuple:
    keys = sorted(r[0] for r in served.query(f"select {key(mart)} from aiuw.{mart}", login))
    ((total,),) = served.query(f"select sum({SECURED[mart]}) from aiuw.{mart}", login)
    return keys, total


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    with postgres_server() as server:
        server.create_database(DATABASE)
        state = Served(server, tmp_path_factory.mktemp("served"))
        admin = state.connect()
        with admin.cursor() as cur:
            for login in [*LOGINS, "hr", "stranger"]:
                # trust authentication in the test server: no passwords anywhere
                cur.execute(f"create role {login} login")
        admin.close()
        state.first = state.publish_and_serve()
        yield state


def test_a_cost_centre_login_sees_exactly_its_lines_and_totals(served):
    release = current_dir(served.published).resolve()
    for login, centres in LOGINS.items():
        if centres is None:
            continue
        for mart in SECURED:
            keys, total = served_totals(served, mart, login)
            expected_keys, expected_total = served.release_totals(release, mart, centres)
            assert keys == expected_keys, (login, mart)
            assert total == expected_total, (login, mart)
            assert (total is None) == (login == "cc_nobody")
            # and only its cost centres' lines
            seen = {r[0] for r in served.query(f"select cost_center_id from aiuw.{mart}", login)}
            assert seen <= set(centres)
        # the marts without a cost centre are not granted to it
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            served.query("select * from aiuw.dim_model", login)
        # it reads its own mapping, not the others'
        mapping = served.query(
            f"select login, cost_center_id from {ACCESS_SCHEMA}.cost_centre_logins", login
        )
        assert mapping == [(login, c) for c in sorted(centres)]
    # a login given no reader role reads nothing
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        served.query("select * from aiuw.rpt_chargeback_monthly", "stranger")


def test_the_bi_role_sees_every_row_exactly_and_cannot_write(served):
    release = current_dir(served.published).resolve()
    manifest = json.loads((release / "manifest.json").read_text())
    for mart in MARTS:
        ((rows,),) = served.query(f"select count(*) from aiuw.{mart}", "finance")
        assert rows == manifest["tables"][mart]["rows"]
    for mart in SECURED:
        keys, total = served_totals(served, mart, "finance")
        assert (keys, total) == served.release_totals(release, mart, None)
        assert isinstance(total, Decimal)  # numeric, not a float
    # money is stored exactly, row by row
    with duckdb.connect(str(release / "warehouse.duckdb"), read_only=True) as con:
        duck = dict(con.execute("select cost_key, billed_cost from fct_ai_cost_daily").fetchall())
    pg = dict(served.query("select cost_key, billed_cost from aiuw.fct_ai_cost_daily", "finance"))
    assert pg == duck
    ((pg_type,),) = served.query(
        "select format_type(atttypid, atttypmod) from pg_attribute "
        "where attrelid = 'aiuw.fct_ai_cost_daily'::regclass and attname = 'billed_cost'"
    )
    assert pg_type == "numeric(38,10)"

    refused = [
        "insert into aiuw.dim_model values ('x', 1)",
        "update aiuw.rpt_chargeback_monthly set billed_cost = 0",
        "delete from aiuw.fct_ai_cost_daily",
        "truncate aiuw.dim_model",
        "create table aiuw.mine (x int)",
        "create table public.mine (x int)",
        "create schema mine",
        "drop table aiuw.dim_model",
        "alter table aiuw.dim_model add column y int",
        f"insert into {ACCESS_SCHEMA}.cost_centre_logins values ('finance', 'CC-110')",
        f"update {ACCESS_SCHEMA}.served_releases set status = 'x'",
        "create view aiuw.v as select 1",
    ]
    for login in ("finance", "cc_research"):
        for sql in refused:
            with pytest.raises(psycopg2.Error) as error:
                served.query(sql, login)
            assert error.value.pgcode in ("42501", "42P01"), (login, sql, error.value)


def test_tables_and_columns_carry_the_dbt_descriptions(served):
    for mart, docs in DOCS.items():
        ((table_comment,),) = served.query(f"select obj_description('aiuw.{mart}'::regclass)")
        assert table_comment == docs["description"]
        for column, text in docs["columns"].items():
            found = served.query(
                f"select col_description('aiuw.{mart}'::regclass, attnum) from pg_attribute "
                f"where attrelid = 'aiuw.{mart}'::regclass and attname = '{column}'"
            )
            assert found == ([(text,)] if column != "missing" else [])
    # the stable schema names the release it holds; readers can ask which one they see
    release_id = current_dir(served.published).resolve().name
    assert served.query("select release_id from aiuw.served_release", "cc_research") == [
        (release_id,)
    ]


def test_the_people_directory_is_served_apart_to_its_own_role_with_the_releases_keys(served):
    # every person key of the served fact maps to its email in aiuw_restricted, and back
    mapped = served.query(
        "select count(*), count(d.person_key), count(distinct f.person_id), "
        "bool_and(d.email = 'person' || substr(d.email, 7, 1) || '@example.com') "
        "from aiuw.fct_ai_cost_daily f "
        "left join aiuw_restricted.people_directory d on d.person_key = f.person_id"
    )
    ((lines, matched, people, emails),) = mapped
    assert lines == matched and people == 7 and emails
    assert served.query(
        "select count(*) from aiuw.fct_ai_cost_daily where person_id like '%@%'"
    ) == [(0,)]
    assert served.query("select count(*) from aiuw_restricted.people_directory", "hr") == [(7,)]
    # the BI and cost-centre roles read no email; the people role reads no mart
    for login, sql in (
        ("finance", "select * from aiuw_restricted.people_directory"),
        ("cc_research", "select * from aiuw_restricted.people_directory"),
        ("hr", "select * from aiuw.fct_ai_cost_daily"),
    ):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            served.query(sql, login)
    # the directory moves with its release: the previous one waits under its release's name
    previous = served.query("select release_id from aiuw.served_release")[0][0]
    newer = served.publish_and_serve()
    schemas = {r[0] for r in served.query("select nspname from pg_namespace")}
    assert "restricted_" + previous.lower() in schemas
    assert "restricted_" + newer.release_id.lower() not in schemas
    assert served.query("select count(*) from aiuw_restricted.people_directory", "hr") == [(7,)]


def test_a_reader_keeps_its_release_across_publishes_and_new_readers_see_the_newest(served):
    reader = served.connect("finance")
    reader.autocommit = False
    before_id = served.query("select release_id from aiuw.served_release")[0][0]
    release = current_dir(served.published).resolve()
    expected = served.release_totals(release, "fct_ai_cost_daily", None)
    # a long query: a cursor over the served fact, read a little before each publish
    cur = reader.cursor(name="long_query")
    cur.itersize = 500
    cur.execute("select cost_key, billed_cost from aiuw.fct_ai_cost_daily order by cost_key")
    fetched = cur.fetchmany(100)

    started = time.monotonic()
    second = served.publish_and_serve()
    fetched += cur.fetchmany(100)
    third = served.publish_and_serve()  # the reader's release is now two behind: a drop is due
    took = time.monotonic() - started
    fetched += cur.fetchall()
    # neither publish waited for the reader beyond the drop's lock timeout
    assert took < 2 * float(LOCK_TIMEOUT.removesuffix("s")) + 20
    assert third.still_read == [before_id]  # kept: the reader still holds it
    assert third.previous == second.release_id

    # the reader saw its release whole: the keys and the total it started with
    assert sorted(k for k, _ in fetched) == expected[0]
    assert sum(v for _, v in fetched) == expected[1]
    reader.commit()
    reader.close()

    # new readers see the newest release, the previous one stays readable under its own name
    newest = current_dir(served.published).resolve()
    assert served.query("select release_id from aiuw.served_release", "finance") == [
        (third.release_id,)
    ]
    assert served_totals(served, "fct_ai_cost_daily", "finance") == served.release_totals(
        newest, "fct_ai_cost_daily", None
    )
    previous_schema = "release_" + second.release_id.lower()
    ((previous,),) = served.query(f"select release_id from {previous_schema}.served_release")
    assert previous == second.release_id

    # the next publish drops what no reader holds any more
    fourth = served.publish_and_serve()
    assert sorted(fourth.dropped) == sorted([before_id, second.release_id])
    statuses = dict(served.query(f"select release_id, status from {ACCESS_SCHEMA}.served_releases"))
    assert statuses[fourth.release_id] == "current"
    assert statuses[third.release_id] == "previous"
    assert statuses[before_id] == statuses[second.release_id] == "dropped"
    schemas = {
        r[0]
        for r in served.query("select nspname from pg_namespace where nspname like 'release_%'")
    }
    assert schemas == {"release_" + third.release_id.lower()}


def test_a_failed_gate_serves_nothing_and_a_passing_one_serves_the_new_release(
    served, tmp_path, monkeypatch
):
    from orchestration.defs.publish.assets import build_publish_asset, build_serve_asset

    data = tmp_path / "data"
    monkeypatch.setenv("AIUW_DATA_DIR", str(data))
    monkeypatch.setenv("AIUW_PUBLISHED_DIR", str(served.published))
    monkeypatch.setenv("AIUW_WAREHOUSE_PATH", str(served.warehouse))
    monkeypatch.setenv(DSN_ENV, served.uri)
    governance = tmp_path / "governance"
    governance.mkdir()
    (governance / "bi_access.yml").write_text(json.dumps(ACCESS.model_dump()))
    monkeypatch.setenv("AIUW_GOVERNANCE_DIR", str(governance))
    served.version += 1
    write_warehouse(served.warehouse, served.version)
    latest = data / "quality" / "latest"
    latest.mkdir(parents=True)
    assets = [
        build_publish_asset(MARTS),
        build_serve_asset(ServeSettings(postgres_dsn_env=DSN_ENV)),
    ]

    def snapshot():
        return (
            served.query("select release_id from aiuw.served_release", "finance"),
            served_totals(served, "rpt_chargeback_monthly", "finance"),
            served_totals(served, "rpt_chargeback_monthly", "cc_research"),
            current_dir(served.published).resolve(),
        )

    before = snapshot()
    for mart in MARTS:
        (latest / f"{mart}.json").write_text(json.dumps({"success": mart != "dim_model"}))
    failed = dg.materialize(assets, raise_on_error=False)
    assert not failed.success
    assert snapshot() == before
    assert not served_events(failed)

    (latest / "dim_model.json").write_text(json.dumps({"success": True}))
    passed = dg.materialize(assets)
    (materialization,) = served_events(passed)
    materialization = materialization.materialization
    release = current_dir(served.published).resolve()
    assert materialization.metadata["release_id"].value == release.name
    assert snapshot()[0] == [(release.name,)]
    assert served_totals(served, "rpt_chargeback_monthly", "cc_research") == (
        served.release_totals(release, "rpt_chargeback_monthly", ["CC-110"])
    )
    assert read_status(serve_path(data)).ok

    # the database cannot be reached: the run fails, the release stays published, and the
    # delivery pass raises the serve_failed alert until a serve succeeds
    monkeypatch.setenv(DSN_ENV, "postgresql://publisher:secret-pw@127.0.0.1:1/aiuw")
    served.version += 1
    write_warehouse(served.warehouse, served.version)
    unreachable = dg.materialize(assets, raise_on_error=False)
    assert not unreachable.success
    assert current_dir(served.published).resolve() != release  # published, not served
    assert snapshot()[0] == [(release.name,)]
    status = read_status(serve_path(data))
    assert not status.ok and "cannot connect" in status.error
    assert "secret-pw" not in status.error
    conditions, _ = evaluate(Paths.from_env(), OperationsThresholds(), None, datetime.now(UTC))
    assert [c.condition_type for c in conditions if c.subject == "served release"] == [
        "serve_failed"
    ]


def test_the_served_release_follows_the_publish_in_the_daily_transform_only_when_configured(
    tmp_path, monkeypatch
):
    from orchestration.automation_names import TRANSFORM_JOB
    from orchestration.definitions import defs
    from orchestration.lib.sources import sources_config

    served_key = dg.AssetKey(["published", "postgres"])
    fixture = Path(os.environ["AIUW_SOURCES"])
    configured = tmp_path / "sources.yml"
    configured.write_text(
        fixture.read_text().replace(
            "warehouse:\n", f"warehouse:\n  serve:\n    postgres_dsn_env: {DSN_ENV}\n", 1
        )
    )
    try:
        for sources, expected in ((fixture, False), (configured, True)):
            monkeypatch.setenv("AIUW_SOURCES", str(sources))
            sources_config.cache_clear()
            definitions = defs()
            graph = definitions.resolve_asset_graph()
            assert graph.has(served_key) is expected
            if expected:
                assert graph.get(served_key).parent_keys == {
                    dg.AssetKey(["published", "warehouse"])
                }
                transform = definitions.resolve_job_def(TRANSFORM_JOB)
                assert served_key in set(transform.asset_layer.executable_asset_keys)
    finally:
        sources_config.cache_clear()


def test_a_prepared_statement_of_a_long_session_reads_the_new_release_after_a_switch(served):
    # JDBC drivers (Tableau, Metabase) prepare repeated queries server-side: the switch must not
    # leave such a session on the previous release
    session = served.connect("finance")
    with session.cursor() as cur:
        cur.execute("prepare which as select release_id from aiuw.served_release")
        cur.execute("execute which")
        assert cur.fetchall() == served.query("select release_id from aiuw.served_release")
        newer = served.publish_and_serve()
        cur.execute("execute which")
        assert cur.fetchall() == [(newer.release_id,)]
    session.close()


def test_a_serve_that_fails_while_loading_leaves_the_served_release_and_no_half_schema(served):
    before = served.query("select release_id from aiuw.served_release")
    broken = ACCESS.model_copy(
        update={
            "cost_center_marts": [
                CostCenterMart(mart="rpt_chargeback_monthly", column="no_such_column")
            ]
        }
    )
    release = served.publish()
    with pytest.raises(ServeError, match="readers still see release"):
        serve(release, served.uri, broken)
    assert served.query("select release_id from aiuw.served_release", "finance") == before
    schemas = {r[0] for r in served.query("select nspname from pg_namespace")}
    assert "release_" + release.name.lower() not in schemas
    # the next good serve serves it
    assert serve(release, served.uri, ACCESS).release_id == release.name
    # serving the served release again changes nothing but the logins: one no longer listed in
    # bi_access.yml loses its role
    fewer = ACCESS.model_copy(
        update={
            "cost_center_logins": [e for e in ACCESS.cost_center_logins if e.login != "cc_platform"]
        }
    )
    again = serve(release, served.uri, fewer)
    assert again.already_served and again.release_id == release.name
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        served.query("select * from aiuw.rpt_chargeback_monthly", "cc_platform")
    assert served.query("select count(*) > 0 from aiuw.rpt_chargeback_monthly", "cc_research") == [
        (True,)
    ]
