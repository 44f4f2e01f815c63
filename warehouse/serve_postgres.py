"""The served release: a published release loaded into PostgreSQL for BI tools (docs/BI.md).

Only a published release is served (`serve` reads a release directory that `publish` wrote, normally
`current`), so the quality gate that decides publishing decides serving too.

In the database:
    aiuw                      the stable schema readers query: always the current release
    release_<release id>      the previous release (and older ones until no reader holds them)
    aiuw_access               served_releases (history) and cost_centre_logins (bi_access.yml)
    aiuw_bi                   role: SELECT on every served mart, every row; nothing else
    aiuw_cost_centre          role: SELECT on the cost and chargeback marts, only the rows of the
                              cost centres aiuw_access.cost_centre_logins lists for current_user
    aiuw_restricted           the release's restricted people_directory (person key to email and
                              name), switched with aiuw so its keys are always aiuw's
    aiuw_people               role: SELECT on aiuw_restricted only (bi_access.yml people_logins)

A release is loaded into its own schema with the bulk loader of ADBC's PostgreSQL driver (binary
COPY from Arrow batches read out of the release's DuckDB file; DECIMAL stays exact as numeric), with
the release's table and column comments (the dbt descriptions), row-level security and grants, in
one transaction. The switch is a second transaction that renames two schemas: `aiuw` becomes
`release_<previous id>` and `release_<new id>` becomes `aiuw`. Renaming a schema takes no lock on
its tables, so a query already running keeps reading the tables it started on (the previous
release, under its new name) while every query planned after the commit reads the new one. Releases
older than the previous one are dropped with a short lock_timeout: one a reader still holds is left
for the next serve.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from governance.schema import BiAccessFile

logger = logging.getLogger(__name__)

ACCESS_SCHEMA = "aiuw_access"
BI_ROLE = "aiuw_bi"
COST_CENTRE_ROLE = "aiuw_cost_centre"
PEOPLE_ROLE = "aiuw_people"
RELEASE_PREFIX = "release_"
RESTRICTED_PREFIX = "restricted_"
RELEASE_TABLE = "served_release"  # in each release schema: which release a reader sees
# The switch and the drops wait this long for a lock, then give up instead of queueing readers.
LOCK_TIMEOUT = "2s"
BATCH_ROWS = 122_880
# One serve at a time per database (pg_advisory_lock key, 'aiuw' in ASCII).
ADVISORY_LOCK = 0x61697577
LOCK_NOT_AVAILABLE = "55P03"


class ServeError(RuntimeError):
    """Serving failed; the served release readers see is the one before this serve."""


@dataclass
class Served:
    release_id: str
    schema: str
    previous: str | None
    rows: dict[str, int]
    dropped: list[str] = field(default_factory=list)
    still_read: list[str] = field(default_factory=list)
    missing_logins: list[str] = field(default_factory=list)
    already_served: bool = False


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


def redact(error: object) -> str:
    """An error's text without a password a connection URI in it may carry."""
    return re.sub(r"(postgres(?:ql)?://[^:/@\s]*):[^@\s]*@", r"\1:***@", str(error))


def release_schema(release_id: str, prefix: str = RELEASE_PREFIX) -> str:
    name = prefix + re.sub(r"[^a-z0-9_]", "_", release_id.lower())
    if len(name) > 63:
        raise ServeError(f"release id {release_id!r} is too long for a PostgreSQL schema name")
    return name


def restricted_schema(release_id: str) -> str:
    """Where a release's restricted people_directory waits to be switched in."""
    return release_schema(release_id, RESTRICTED_PREFIX)


def stable_restricted(schema: str) -> str:
    return f"{schema}_restricted"


_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
_SIMPLE = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}
# DuckDB types without an Arrow type PostgreSQL's COPY takes: read cast, stored as
_CAST = {
    "UTINYINT": ("SMALLINT", "smallint"),
    "USMALLINT": ("INTEGER", "integer"),
    "UINTEGER": ("BIGINT", "bigint"),
    "UBIGINT": ("DECIMAL(20,0)", "numeric(20,0)"),
}


def column_type(duckdb_type: str) -> tuple[str, str | None]:
    """The PostgreSQL type of a DuckDB column, and the DuckDB cast applied when reading it (None:
    read as is). Money (DECIMAL) stays exact as numeric; lists, maps and structs become their text."""
    decimal = _DECIMAL.fullmatch(duckdb_type)
    if decimal:
        return f"numeric({decimal[1]},{decimal[2]})", None
    if duckdb_type in _SIMPLE:
        return _SIMPLE[duckdb_type], None
    if duckdb_type in _CAST:
        cast, pg = _CAST[duckdb_type]
        return pg, cast
    return "text", "VARCHAR"


@dataclass(frozen=True)
class Column:
    name: str
    pg_type: str
    cast: str | None
    comment: str | None


@dataclass(frozen=True)
class Table:
    name: str
    comment: str | None
    columns: list[Column]


def release_tables(con: duckdb.DuckDBPyConnection) -> list[Table]:
    tables = con.execute(
        "select table_name, comment from duckdb_tables() "
        "where database_name = current_database() and schema_name = 'main' order by table_name"
    ).fetchall()
    result = []
    for name, comment in tables:
        columns = con.execute(
            "select column_name, data_type, comment from duckdb_columns() "
            "where database_name = current_database() and schema_name = 'main' and table_name = ? "
            "order by column_index",
            [name],
        ).fetchall()
        result.append(
            Table(
                name,
                comment or None,
                [Column(c, *column_type(t), text or None) for c, t, text in columns],
            )
        )
    return result


def serve(
    release_dir: Path,
    uri: str,
    access: BiAccessFile | None = None,
    schema: str = "aiuw",
) -> Served:
    """Load the published release in `release_dir` into PostgreSQL at `uri` and switch `schema` to
    it. Raises ServeError with what readers still see when anything fails before the switch."""
    import adbc_driver_postgresql.dbapi as pg

    access = access or BiAccessFile()
    manifest = json.loads((release_dir / "manifest.json").read_text())
    release_id = manifest["release_id"]
    try:
        con = pg.connect(uri)
    except Exception as error:
        raise ServeError(
            f"cannot connect to the served-release database: {redact(error)}"
        ) from None
    try:
        cur = con.cursor()
        cur.execute(f"select pg_advisory_lock({ADVISORY_LOCK})")
        con.commit()
        previous = None

        def failed(step: str, error: Exception) -> ServeError:
            con.rollback()
            return ServeError(
                f"release {release_id} not served ({step}): {redact(error)}; readers still see "
                f"release {previous or '(none)'} in schema {schema}"
            )

        try:
            try:
                previous = current_release(cur) if access_schema_exists(cur) else None
                prepare(cur, access, schema)
                missing = grant_logins(cur, access)
                con.commit()
            except Exception as error:
                raise failed("preparing the roles and the access schema", error) from error
            if previous == release_id:
                return Served(release_id, schema, None, {}, already_served=True)
            try:
                rows = load(cur, release_dir, manifest, access)
                con.commit()
            except Exception as error:
                raise failed("loading", error) from error
            try:
                switch(cur, release_id, previous, schema)
                con.commit()
            except Exception as error:
                problem = failed("switching", error)
                discard(con, cur, release_id)
                raise problem from error
            served = Served(release_id, schema, previous, rows, missing_logins=missing)
            prune(con, cur, served)
            return served
        finally:
            con.rollback()
            cur.execute(f"select pg_advisory_unlock({ADVISORY_LOCK})")
            con.commit()
            cur.close()
    finally:
        con.close()


def access_schema_exists(cur) -> bool:
    cur.execute(f"select to_regclass({literal(ACCESS_SCHEMA + '.served_releases')})")
    return cur.fetchone()[0] is not None


def discard(con, cur, release_id: str) -> None:
    """Drop a release that was loaded but could not be switched in (best effort)."""
    try:
        cur.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
        cur.execute(f"drop schema if exists {ident(release_schema(release_id))} cascade")
        cur.execute(f"drop schema if exists {ident(restricted_schema(release_id))} cascade")
        cur.execute(
            f"delete from {ident(ACCESS_SCHEMA)}.served_releases "
            f"where release_id = {literal(release_id)}"
        )
        con.commit()
    except Exception as error:
        con.rollback()
        logger.warning("release %s: its schema could not be dropped: %s", release_id, error)


def prepare(cur, access: BiAccessFile, schema: str) -> None:
    """The reader roles, the access schema and its tables; the login mapping from bi_access.yml."""
    cur.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
    for role in (BI_ROLE, COST_CENTRE_ROLE, PEOPLE_ROLE):
        cur.execute(
            f"do $$ begin if not exists (select from pg_roles where rolname = {literal(role)}) "
            f"then create role {ident(role)} nologin; end if; end $$"
        )
    a = ident(ACCESS_SCHEMA)
    cur.execute(f"create schema if not exists {a}")
    cur.execute(f"revoke all on schema {a} from public")
    cur.execute(f"grant usage on schema {a} to {ident(BI_ROLE)}, {ident(COST_CENTRE_ROLE)}")
    cur.execute(
        f"create table if not exists {a}.served_releases (release_id text primary key, "
        "schema_name text not null, run_id text, published_at timestamptz, "
        "served_at timestamptz not null, status text not null)"
    )
    cur.execute(
        f"comment on table {a}.served_releases is 'Every release served: current (schema "
        f"{schema}), previous, stale (to drop once no reader holds it) or dropped.'"
    )
    cur.execute(f"select to_regclass({literal(ACCESS_SCHEMA + '.cost_centre_logins')})")
    if cur.fetchone()[0] is None:
        # created once: altering it later would wait for the readers whose policies read it
        cur.execute(
            f"create table {a}.cost_centre_logins (login text not null, "
            "cost_center_id text not null, primary key (login, cost_center_id))"
        )
        cur.execute(
            f"comment on table {a}.cost_centre_logins is 'From governance/bi_access.yml: the "
            "cost centres each login of aiuw_cost_centre sees. Each login sees only its own rows.'"
        )
        cur.execute(f"alter table {a}.cost_centre_logins enable row level security")
        cur.execute(
            f"create policy own_rows on {a}.cost_centre_logins for select "
            f"to {ident(COST_CENTRE_ROLE)} using (login = current_user)"
        )
    cur.execute(f"grant select on {a}.cost_centre_logins to {ident(COST_CENTRE_ROLE)}")
    cur.execute(
        f"grant select on {a}.served_releases to {ident(BI_ROLE)}, {ident(COST_CENTRE_ROLE)}"
    )
    cur.execute(f"delete from {a}.cost_centre_logins")
    pairs = sorted({(e.login, c) for e in access.cost_center_logins for c in e.cost_centers})
    if pairs:
        values = ", ".join(f"({literal(login)}, {literal(c)})" for login, c in pairs)
        cur.execute(f"insert into {a}.cost_centre_logins values {values}")


def grant_logins(cur, access: BiAccessFile) -> list[str]:
    """Grant each listed login its reader role and revoke the role from logins no longer listed.
    Logins are created by the database administrator (with their passwords): a listed login
    missing from the database is returned, not created."""
    wanted = {
        BI_ROLE: set(access.bi_logins),
        COST_CENTRE_ROLE: {e.login for e in access.cost_center_logins},
        PEOPLE_ROLE: set(access.people_logins),
    }
    cur.execute("select rolname from pg_roles")
    existing = {r[0] for r in cur.fetchall()}
    missing = sorted(set().union(*wanted.values()) - existing)
    for role, logins in wanted.items():
        cur.execute(
            "select m.rolname from pg_auth_members a join pg_roles r on r.oid = a.roleid "
            "join pg_roles m on m.oid = a.member "
            f"where r.rolname = {literal(role)} and not a.admin_option "
            "and m.rolname <> current_user"
        )
        members = {r[0] for r in cur.fetchall()}
        for login in sorted(members - logins):
            cur.execute(f"revoke {ident(role)} from {ident(login)}")
        for login in sorted((logins & existing) - members):
            cur.execute(f"grant {ident(role)} to {ident(login)}")
    return missing


def current_release(cur) -> str | None:
    cur.execute(
        f"select release_id from {ident(ACCESS_SCHEMA)}.served_releases where status = 'current'"
    )
    row = cur.fetchone()
    return row[0] if row else None


def copy_table(cur, source: duckdb.DuckDBPyConnection, schema: str, table: Table) -> str:
    """One DuckDB table into `schema` by binary COPY, with its comments; its qualified name."""
    t = f"{ident(schema)}.{ident(table.name)}"
    columns = ", ".join(f"{ident(c.name)} {c.pg_type}" for c in table.columns)
    cur.execute(f"create table {t} ({columns})")
    select = ", ".join(
        f"cast({ident(c.name)} as {c.cast}) as {ident(c.name)}" if c.cast else ident(c.name)
        for c in table.columns
    )
    batches = source.sql(f"select {select} from main.{ident(table.name)}").to_arrow_reader(
        BATCH_ROWS
    )
    cur.adbc_ingest(table.name, batches, mode="append", db_schema_name=schema)
    if table.comment:
        cur.execute(f"comment on table {t} is {literal(table.comment)}")
    for c in table.columns:
        if c.comment:
            cur.execute(f"comment on column {t}.{ident(c.name)} is {literal(c.comment)}")
    return t


def fresh_schema(cur, name: str) -> str:
    s = ident(name)
    cur.execute(f"drop schema if exists {s} cascade")  # a failed attempt at this same release
    cur.execute(f"create schema {s}")
    cur.execute(f"revoke all on schema {s} from public")
    return s


def load(cur, release_dir: Path, manifest: dict, access: BiAccessFile) -> dict[str, int]:
    """Every table of the release into its own schema, with comments, row-level security and
    grants, and its restricted mart into another one; the row counts checked against the
    release's manifest."""
    release_id = manifest["release_id"]
    target = release_schema(release_id)
    s = fresh_schema(cur, target)
    cost_centre = {m.mart: m.column for m in access.cost_center_marts}
    rows: dict[str, int] = {}
    with duckdb.connect(str(release_dir / "warehouse.duckdb"), read_only=True) as source:
        tables = release_tables(source)
        names = {t.name for t in tables}
        for table in tables:
            t = copy_table(cur, source, target, table)
            if table.name in cost_centre:
                secure(cur, t, table, cost_centre[table.name])
            cur.execute(f"select count(*) from {t}")
            rows[table.name] = cur.fetchone()[0]
        expected = {name: meta["rows"] for name, meta in manifest["tables"].items()}
        if rows != expected:
            raise ServeError(f"row counts {rows} differ from the release manifest's {expected}")
        unknown = sorted(set(cost_centre) - names)
        if unknown:
            logger.warning("bi_access.yml cost_center_marts not in the release: %s", unknown)
    load_restricted(cur, release_dir, manifest)
    r = ident(RELEASE_TABLE)
    cur.execute(
        f"create table {s}.{r} as select {literal(release_id)}::text as release_id, "
        f"{literal(manifest.get('run_id'))}::text as run_id, "
        f"{literal(manifest.get('published_at'))}::timestamptz as published_at, "
        "now() as served_at"
    )
    cur.execute(
        f"comment on table {s}.{r} is 'The release this schema holds: its id, the run that "
        "published it, when it was published and when it was served.'"
    )
    bi, cc = ident(BI_ROLE), ident(COST_CENTRE_ROLE)
    cur.execute(f"grant usage on schema {s} to {bi}, {cc}")
    cur.execute(f"grant select on all tables in schema {s} to {bi}")
    secured = [ident(name) for name in sorted(set(cost_centre) & names)]
    cur.execute(
        f"grant select on {', '.join([*(f'{s}.{n}' for n in secured), f'{s}.{r}'])} to {cc}"
    )
    cur.execute(f"analyze {', '.join(f'{s}.{ident(name)}' for name in sorted(names))}")
    cur.execute(
        f"insert into {ident(ACCESS_SCHEMA)}.served_releases values ({literal(release_id)}, "
        f"{literal(target)}, {literal(manifest.get('run_id'))}, "
        f"{literal(manifest.get('published_at'))}, now(), 'loaded')"
        " on conflict (release_id) do update set served_at = now(), status = 'loaded'"
    )
    return rows


def load_restricted(cur, release_dir: Path, manifest: dict) -> None:
    """The release's restricted people_directory (the mapping from person keys to emails and
    names) into its own schema, readable by aiuw_people only; empty with the same columns when the
    release has none (people were not keyed), so the switch always has a schema to move."""
    name = restricted_schema(manifest["release_id"])
    s = fresh_schema(cur, name)
    restricted = manifest.get("restricted")
    if restricted:
        database = release_dir / "restricted" / f"{restricted['table']}.duckdb"
        with duckdb.connect(str(database), read_only=True) as source:
            for table in release_tables(source):
                t = copy_table(cur, source, name, table)
                cur.execute(f"select count(*) from {t}")
                if cur.fetchone()[0] != restricted["rows"]:
                    raise ServeError(f"{t} differs from the release manifest's row count")
    cur.execute(f"grant usage on schema {s} to {ident(PEOPLE_ROLE)}")
    cur.execute(f"grant select on all tables in schema {s} to {ident(PEOPLE_ROLE)}")


def secure(cur, table_sql: str, table: Table, column: str) -> None:
    """Row-level security by cost centre: aiuw_bi sees every row, aiuw_cost_centre its logins'
    cost centres' rows, the owner (the publisher) bypasses it, anyone else sees nothing."""
    if column not in {c.name for c in table.columns}:
        raise ServeError(f"bi_access.yml: {table.name} has no column {column}")
    cur.execute(f"alter table {table_sql} enable row level security")
    cur.execute(
        f"create policy every_row on {table_sql} for select to {ident(BI_ROLE)} using (true)"
    )
    cur.execute(
        f"create policy own_cost_centres on {table_sql} for select to {ident(COST_CENTRE_ROLE)} "
        f"using ({ident(column)} in (select cost_center_id from "
        f"{ident(ACCESS_SCHEMA)}.cost_centre_logins where login = current_user))"
    )


def switch(cur, release_id: str, previous: str | None, schema: str) -> None:
    """One transaction: the stable schema becomes the previous release's schema, the new release's
    schema becomes the stable one."""
    cur.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
    cur.execute(f"select 1 from pg_namespace where nspname = {literal(schema)}")
    stable_exists = cur.fetchone() is not None
    if stable_exists:
        if previous is None:
            raise ServeError(
                f"schema {schema} exists but no served release is recorded in "
                f"{ACCESS_SCHEMA}.served_releases: not replacing a schema this step did not create"
            )
        cur.execute(f"alter schema {ident(schema)} rename to {ident(release_schema(previous))}")
    people = stable_restricted(schema)
    cur.execute(f"select 1 from pg_namespace where nspname = {literal(people)}")
    if cur.fetchone() is not None and previous is not None:
        cur.execute(f"alter schema {ident(people)} rename to {ident(restricted_schema(previous))}")
    cur.execute(f"alter schema {ident(release_schema(release_id))} rename to {ident(schema)}")
    cur.execute(f"alter schema {ident(restricted_schema(release_id))} rename to {ident(people)}")
    cur.execute(
        f"comment on schema {ident(schema)} is "
        f"{literal(f'AI usage warehouse, served release {release_id} (see {RELEASE_TABLE})')}"
    )
    a = ident(ACCESS_SCHEMA)
    cur.execute(f"update {a}.served_releases set status = 'stale' where status = 'previous'")
    cur.execute(f"update {a}.served_releases set status = 'previous' where status = 'current'")
    cur.execute(
        f"update {a}.served_releases set status = 'current' where release_id = {literal(release_id)}"
    )


def prune(con, cur, served: Served) -> None:
    """Drop stale releases; one a reader still holds (the drop cannot get its lock within
    LOCK_TIMEOUT) is left for the next serve."""
    a = ident(ACCESS_SCHEMA)
    cur.execute(
        f"select release_id, schema_name from {a}.served_releases where status = 'stale' "
        "order by release_id"
    )
    for release_id, name in cur.fetchall():
        try:
            cur.execute(f"set local lock_timeout = '{LOCK_TIMEOUT}'")
            cur.execute(f"drop schema if exists {ident(name)} cascade")
            cur.execute(f"drop schema if exists {ident(restricted_schema(release_id))} cascade")
            cur.execute(
                f"update {a}.served_releases set status = 'dropped' "
                f"where release_id = {literal(release_id)}"
            )
            con.commit()
            served.dropped.append(release_id)
        except Exception as error:
            # the new release is served already: a drop that fails waits for the next serve
            con.rollback()
            reason = (
                "it is still being read"
                if LOCK_NOT_AVAILABLE in sqlstates(error)
                else f"dropping failed: {redact(error)}"
            )
            logger.warning(
                "release %s: schema %s kept until the next serve, %s", release_id, name, reason
            )
            served.still_read.append(release_id)


def sqlstates(error: BaseException) -> Iterable[str]:
    state = getattr(error, "sqlstate", None)
    return [state] if state else re.findall(r"\b[0-9A-Z]{5}\b", str(error))
