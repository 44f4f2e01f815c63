"""The project's DuckDB incremental materialization (macros/materializations/incremental_duckdb.sql):
a daily run replaces exactly the re-landed days (one day at a time where a model asks for it), a
re-run changes nothing, and a table whose
columns no longer match the model's query is left as it was with an error that says how to fix it."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from benchmarks.generate import generate
from tests.dbt_build import GATEWAY_MODELS, dbt_build

DAYS = [date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)]
# The last two days, as a daily run's trailing window re-lands them (the request models insert them
# one day at a time: meta aiuw.insert_by_day).
LAST_DAYS = {"min_date": "2026-11-19", "max_date": "2026-11-21", "landed_min_date": "2026-11-19"}


def per_day(database) -> dict:
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            model: dict(
                con.execute(
                    f"select usage_date, {measure} from {schema}.{model} group by usage_date"
                ).fetchall()
            )
            for schema, model, measure in (
                ("intermediate", "int_litellm_requests", "count(*)"),
                ("intermediate", "int_otel_requests", "count(*)"),
                ("intermediate", "int_gateway_requests_daily", "sum(request_count)"),
                ("marts", "fct_gateway_requests_daily", "sum(request_count)"),
            )
        }


def landed_requests(landing, day: date) -> int:
    with duckdb.connect() as con:
        return con.execute(
            "select count(distinct request_id) from read_parquet(?)",
            [str(landing / "litellm" / "spend_logs" / "*" / f"{day.isoformat()}.parquet")],
        ).fetchone()[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("incremental")
    landing, database = base / "landing", base / "warehouse.duckdb"
    generate(landing, DAYS, 2_000, seed=5)
    dbt_build(base, database, landing, GATEWAY_MODELS, tests=False)
    return base, landing, database, per_day(database)


def test_a_rerun_of_a_day_changes_nothing(built):
    base, landing, database, first = built
    dbt_build(base, database, landing, GATEWAY_MODELS, tests=False, dbt_vars=LAST_DAYS)
    assert per_day(database) == first
    assert sum(first["int_litellm_requests"].values()) == sum(
        landed_requests(landing, day) for day in DAYS
    )


def test_a_relanded_day_replaces_that_day_only(built, tmp_path):
    base, landing, database, first = built
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(database, copy)
    relanded = generate(landing, DAYS[-1:], 1_500, seed=6)
    try:
        dbt_build(base, copy, landing, GATEWAY_MODELS, tests=False, dbt_vars=LAST_DAYS)
        after, expected = per_day(copy), landed_requests(landing, DAYS[-1])
    finally:
        generate(landing, DAYS[-1:], 2_000, seed=5)
    assert after["int_litellm_requests"][DAYS[-1]] == expected
    assert after["int_gateway_requests_daily"][DAYS[-1]] == relanded.requests() == 1_500
    assert after["fct_gateway_requests_daily"][DAYS[-1]] == 1_500
    assert after["int_litellm_requests"][DAYS[-1]] != first["int_litellm_requests"][DAYS[-1]]
    for model, days in first.items():
        earlier = {day: n for day, n in after[model].items() if day != DAYS[-1]}
        assert earlier == {day: n for day, n in days.items() if day != DAYS[-1]}, model


def test_a_table_whose_columns_changed_is_left_as_it_was(built, tmp_path):
    base, landing, database, first = built
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(database, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("alter table intermediate.int_litellm_requests drop column error_type")
    with pytest.raises(AssertionError) as failure:
        dbt_build(
            base,
            copy,
            landing,
            ["int_litellm_requests"],
            tests=False,
            dbt_vars=LAST_DAYS,
        )
    assert "The columns of int_litellm_requests changed" in str(failure.value)
    assert "dbt build --full-refresh --select int_litellm_requests" in str(failure.value)
    assert per_day(copy)["int_litellm_requests"] == first["int_litellm_requests"]


def test_a_view_whose_sql_is_unchanged_is_left_as_it_is_and_a_changed_one_is_created_again(
    built, tmp_path
):
    """macros/materializations/view_duckdb.sql: the view's comment fingerprints its SQL."""
    base, landing, database, _ = built
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(database, copy)
    view = "staging.stg_litellm__spend_logs"

    def rows_and_comment() -> tuple[int, str]:
        with duckdb.connect(str(copy), read_only=True) as con:
            comment = con.execute(
                "select comment from duckdb_views() where schema_name = 'staging' "
                "and view_name = 'stg_litellm__spend_logs'"
            ).fetchone()[0]
            return con.execute(f"select count(*) from {view}").fetchone()[0], comment

    landed, fingerprint = rows_and_comment()
    assert landed > 1_000 and fingerprint.startswith("aiuw-sql:")
    # the same fingerprint over other SQL: the build trusts the fingerprint and leaves the view
    with duckdb.connect(str(copy)) as con:
        con.execute(f"create table staging.emptied as select * from {view} limit 0")
        con.execute(f"create or replace view {view} as select * from staging.emptied")
        con.execute(f"comment on view {view} is '{fingerprint}'")
    dbt_build(base, copy, landing, ["stg_litellm__spend_logs"], tests=False)
    assert rows_and_comment() == (0, fingerprint)
    # another fingerprint (the model's SQL or a landing path changed): created again
    with duckdb.connect(str(copy)) as con:
        con.execute(f"comment on view {view} is 'aiuw-sql:older'")
    dbt_build(base, copy, landing, ["stg_litellm__spend_logs"], tests=False)
    assert rows_and_comment() == (landed, fingerprint)


def test_a_build_by_hand_without_a_window_rebuilds_the_same_rows(built, tmp_path):
    """No refresh window: dbt's defaults, [1970-01-01, 2999-12-31), which the request models do not
    insert one day at a time (Jinja refuses a range of 376,199 days)."""
    base, landing, database, first = built
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(database, copy)
    dbt_build(base, copy, landing, GATEWAY_MODELS, tests=False)
    assert per_day(copy) == first
