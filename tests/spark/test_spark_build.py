"""The whole dbt project on Spark (session method, local JVM) from the same landing Parquet as
DuckDB: every model builds (every published mart, everything feeding it and the models no mart
reads), and every row of each equals DuckDB's (keys, counts, flags, text and DECIMAL money exactly;
floating-point columns to rounding). A second, incremental run over one day after that day's
landing changed overwrites that day only, on both engines alike.

Spark's tables are Parquet under its warehouse directory; they are read back here with DuckDB, so
the test starts no second JVM."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.cli.summary import provider_totals
from orchestration.lib.dbt import dbt_project, published_models, read_manifest
from tests.dbt_build import dbt_build
from tests.spark.landing_slice import (
    END,
    JUDGED_WEEK,
    RESTATEMENT,
    START,
    land_restatement,
    land_slice,
)
from warehouse.books import MART, book_closed_months

pytestmark = pytest.mark.spark


def unpublished_models() -> list[tuple[str, str]]:
    """(schema, name) of every model no published mart is built from: staging models of columns no
    mart reads yet, the time spine, the rated-cost history and the reports kept in the warehouse."""
    nodes = read_manifest(dbt_project.manifest_path)["nodes"]
    built = {k: v for k, v in nodes.items() if v["resource_type"] in ("model", "seed")}
    feeding = set()
    pending = [k for k, v in built.items() if v["name"] in MARTS]
    while pending:
        key = pending.pop()
        if key not in feeding:
            feeding.add(key)
            pending += [d for d in built[key]["depends_on"].get("nodes", []) if d in built]
    return sorted(
        (v["schema"], v["name"])
        for k, v in built.items()
        if k not in feeding and v["resource_type"] == "model"
    )


# Every published mart and every model no mart reads: the selection is the whole project (every
# model, seed and source). All of them are compared row for row (on Spark every model is a table).
MARTS = published_models()
UNPUBLISHED = unpublished_models()
COMPARED = [("marts", mart) for mart in MARTS] + UNPUBLISHED
SELECT = [f"+{name}" for _, name in COMPARED]
# The incremental marts, and the incremental run: what reads the changed landing, and every
# incremental model (each overwrites the window from inputs that did not change); the other tables
# would rebuild the same rows.
INCREMENTAL_MARTS = ["fct_ai_usage_daily", "fct_ai_cost_daily", "fct_gateway_requests_daily"]
RESTATED_MODEL = "stg_openai__usage_completions"
SELECT_RESTATED = [
    selector
    for mart in INCREMENTAL_MARTS
    for selector in (f"{RESTATED_MODEL}+,+{mart}", f"config.materialized:incremental,+{mart}")
]
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
# Columns holding when the build ran (dbt's run_started_at): each engine's build has its own.
BUILD_TIME_COLUMNS = {("fct_rated_cost_history", "recorded_at")}
RESTATED_DAY = START + timedelta(days=1)
# A small slice: compiling and optimising each query costs more than running it, so the JVM
# stops at its first compiler and collects garbage on one thread, Spark plans each query once and
# evaluates expressions without generating code for them (docs/spark.md; about a third less CPU for
# the module).
SMALL_DATA_SPARK = {
    "AIUW_SPARK_JAVA_OPTIONS": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
    "AIUW_SPARK_WHOLE_STAGE_CODEGEN": "false",
    "AIUW_SPARK_ADAPTIVE": "false",
    "AIUW_SPARK_SHUFFLE_PARTITIONS": "1",
    "AIUW_SPARK_CODEGEN_FACTORY_MODE": "NO_CODEGEN",
}


class Engines:
    """Both builds of the same landing zone, queried through one DuckDB connection."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.landing = base / "landing"
        self.duckdb_file = base / "warehouse.duckdb"
        self.spark_dir = base / "spark_warehouse"
        self.books = base / "books"

    def build_duckdb(self, dbt_vars: dict | None = None, select: list[str] = SELECT) -> None:
        dbt_build(
            self.base / "duckdb",
            self.duckdb_file,
            self.landing,
            select,
            # the rows are compared with Spark's; the data tests run on the whole sandbox in the e2e
            # deployments' builds
            tests=False,
            env={"AIUW_BOOKS_DIR": str(self.books)},
            dbt_vars=dbt_vars,
        )

    def book_closed_months(self) -> list:
        """Book the months DuckDB's build shows as closed, as a publish does from its release."""
        release = self.base / "release.duckdb"
        with duckdb.connect(str(release)) as con:
            con.execute(f"attach '{self.duckdb_file}' as warehouse (read_only)")
            con.execute(
                f"create or replace table main.{MART} as select * from warehouse.marts.{MART}"
            )
        return book_closed_months(self.books, release)

    def build_spark(self, dbt_vars: dict | None = None, select: list[str] = SELECT) -> None:
        dbt_build(
            self.base / "spark",
            self.base / "not_used.duckdb",
            self.landing,
            select,
            target="spark",
            tests=False,
            env={
                "AIUW_SPARK_WAREHOUSE_DIR": str(self.spark_dir),
                "AIUW_BOOKS_DIR": str(self.books),
                **SMALL_DATA_SPARK,
            },
            dbt_vars=dbt_vars,
            timeout=900,
        )

    def connect(self) -> duckdb.DuckDBPyConnection:
        """DuckDB's marts as on_duckdb.<mart>, Spark's as on_spark.<mart> (its Parquet, day-partitioned)."""
        con = duckdb.connect()
        con.execute(f"attach '{self.duckdb_file}' as warehouse (read_only)")
        con.execute("create schema on_duckdb")
        con.execute("create schema on_spark")
        for schema, mart in COMPARED:
            table = self.spark_dir / "warehouse" / f"{schema}.db" / mart
            partitioned = any(p.is_dir() for p in table.glob("usage_date=*"))
            files = table / "*" / "*.parquet" if partitioned else table / "*.parquet"
            columns = [r[0] for r in con.execute(f"describe warehouse.{schema}.{mart}").fetchall()]
            spark_columns = ", ".join(
                "cast(usage_date as date) as usage_date" if c == "usage_date" and partitioned else c
                for c in columns
            )
            con.execute(f"create view on_duckdb.{mart} as select * from warehouse.{schema}.{mart}")
            con.execute(
                f"create view on_spark.{mart} as select {spark_columns} "
                f"from read_parquet('{files}', hive_partitioning = {str(partitioned).lower()})"
            )
        return con


def columns_of(con: duckdb.DuckDBPyConnection, mart: str) -> tuple[list[str], list[str]]:
    """The mart's exact columns and its floating-point ones (compared to rounding)."""
    described = con.execute(f"describe on_duckdb.{mart}").fetchall()
    described = [row for row in described if (mart, row[0]) not in BUILD_TIME_COLUMNS]
    floats = [c for c, kind, *_ in described if kind in FLOAT_TYPES]
    return [c for c, *_ in described if c not in floats], floats


def differing_rows(con: duckdb.DuckDBPyConnection, mart: str) -> int:
    columns = ", ".join(columns_of(con, mart)[0])
    return con.execute(
        f"""
        select count(*) from (
            (select {columns} from on_duckdb.{mart} except all select {columns} from on_spark.{mart})
            union all
            (select {columns} from on_spark.{mart} except all select {columns} from on_duckdb.{mart})
        )
        """
    ).fetchone()[0]


def differing_floats(con: duckdb.DuckDBPyConnection, mart: str) -> list[tuple]:
    """Rows whose floating-point columns differ beyond rounding, both engines' rows ordered alike."""
    exact, floats = columns_of(con, mart)
    if not floats:
        return []
    order = ", ".join([*exact, *floats])
    rows = {
        engine: con.execute(
            f"select {', '.join(floats)} from {engine}.{mart} order by {order}"
        ).fetchall()
        for engine in ("on_duckdb", "on_spark")
    }
    return [
        (d, s)
        for d, s in zip(rows["on_duckdb"], rows["on_spark"], strict=True)
        if not all(
            (a is None and b is None)
            or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9))
            for a, b in zip(d, s, strict=True)
        )
    ]


def totals(con: duckdb.DuckDBPyConnection, schema: str) -> dict:
    """Per provider and gateway, the totals of [START, END): the days every source landed."""
    days = f"{schema}_days"
    con.execute(f"create schema if not exists {days}")
    for mart in ("fct_ai_usage_daily", "fct_ai_cost_daily", "fct_gateway_requests_daily"):
        con.execute(
            f"create or replace view {days}.{mart} as select * from {schema}.{mart} "
            f"where usage_date >= '{START}' and usage_date < '{END}'"
        )
    con.execute(f"use {days}")
    try:
        figures = provider_totals(con)
    finally:
        con.execute("use memory.main")
    gateway = con.execute(
        f"""
        select gateway, sum(request_count), sum(input_tokens), sum(output_tokens),
            sum(measured_cost_usd)
        from {days}.fct_gateway_requests_daily group by gateway
        """
    ).fetchall()
    return {"providers": figures, "gateways": {g: tuple(v) for g, *v in gateway}}


def day_totals(con: duckdb.DuckDBPyConnection, schema: str) -> dict:
    rows = con.execute(
        f"select usage_date, count(*), sum(total_tokens) from {schema}.fct_ai_usage_daily group by 1"
    ).fetchall()
    return {day: (n, tokens) for day, n, tokens in rows}


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    base = tmp_path_factory.mktemp("spark_build")
    sandbox = land_slice(base)
    engines = Engines(base)
    # August as first published goes into the books; then OpenAI restates a day of it
    engines.build_duckdb()
    engines.booked = engines.book_closed_months()
    land_restatement(base, sandbox)
    engines.build_duckdb()
    engines.build_spark()
    engines.sandbox = sandbox
    with engines.connect() as con:
        engines.first = {
            "totals": {e: totals(con, e) for e in ("on_duckdb", "on_spark")},
            "days": {e: day_totals(con, e) for e in ("on_duckdb", "on_spark")},
            "build_times": {
                (e, mart): con.execute(
                    f"select count(*) filter (where {column} is null), count(distinct {column}) "
                    f"from {e}.{mart}"
                ).fetchone()
                for e in ("on_duckdb", "on_spark")
                for mart, column in BUILD_TIME_COLUMNS
            },
            "differing": {m: differing_rows(con, m) for _, m in COMPARED},
            "restated": {
                e: con.execute(
                    f"select restated_month, posted_month, status, sum(billed_cost_change) "
                    f"from {e}.rpt_chargeback_restatements group by all"
                ).fetchall()
                for e in ("on_duckdb", "on_spark")
            },
            "judged_week": {
                e: con.execute(
                    f"select measure, statistic, verdict, statistic_value is not null, count(*) "
                    f"from {e}.rpt_usage_drift where iso_week_start = '{JUDGED_WEEK}' group by all"
                ).fetchall()
                for e in ("on_duckdb", "on_spark")
            },
            "floats": {m: differing_floats(con, m) for _, m in COMPARED},
            "rows": {
                e: {
                    m: con.execute(f"select count(*) from {e}.{m}").fetchone()[0]
                    for _, m in COMPARED
                }
                for e in ("on_duckdb", "on_spark")
            },
        }
    return engines


def test_every_model_is_built_on_spark(engines):
    assert len(MARTS) > 20
    # the models no mart reads are there too: the whole project is built
    assert {name for _, name in UNPUBLISHED} >= {
        "fct_rated_cost_history",
        "stg_okta__groups",
        "stg_openai__service_accounts",
    }
    assert engines.first["rows"]["on_spark"] == engines.first["rows"]["on_duckdb"]
    # the slice gives every published mart rows; the entity that never landed is read as none
    empty = {m for m, n in engines.first["rows"]["on_spark"].items() if n == 0}
    assert not empty & set(MARTS), empty
    assert "stg_openai__service_accounts" in empty


def test_a_restated_closed_month_is_charged_in_the_open_month_on_both_engines(engines):
    month, amount = RESTATEMENT[0].replace(day=1), RESTATEMENT[1]
    assert engines.booked == [month]
    expected = [(month, START.replace(day=1), "pending", amount)]
    assert engines.first["restated"] == {"on_duckdb": expected, "on_spark": expected}


def test_usage_drift_judges_a_week_on_every_measure_on_both_engines(engines):
    judged = engines.first["judged_week"]["on_spark"]
    assert sorted(judged) == sorted(engines.first["judged_week"]["on_duckdb"])
    assert judged and "no_verdict" not in {verdict for _, _, verdict, _, _ in judged}, judged
    # one baseline week: no spread, so the robust z has no value (landing_slice.DRIFT_BASELINE_WEEKS);
    # the proportion tests, the distance and the new-model shares have values
    valued = {(statistic, has_value) for _, statistic, _, has_value, _ in judged}
    assert ("robust_z", True) not in valued
    assert {s for s, has_value in valued if has_value} == {
        "two_proportion_z",
        "total_variation_distance",
        "new_token_share",
    }
    assert {statistic for _, statistic, *_ in judged} == {
        "robust_z",
        "two_proportion_z",
        "total_variation_distance",
        "new_token_share",
    }


def test_every_row_is_the_same_on_spark_and_on_duckdb(engines):
    assert engines.first["differing"] == {m: 0 for _, m in COMPARED}
    # the build-time columns left out are set, one time per build, on both engines
    assert set(engines.first["build_times"].values()) == {(0, 1)}


def test_floating_point_columns_agree_to_rounding(engines):
    assert engines.first["floats"] == {m: [] for _, m in COMPARED}


def test_totals_equal_exactly_and_equal_the_sandbox_ground_truth(engines):
    duck, spark = engines.first["totals"]["on_duckdb"], engines.first["totals"]["on_spark"]
    assert spark == duck
    assert {g for g in spark["gateways"]} == {"litellm", "otel"}
    money = [f for p in spark["providers"].values() for k, f in p.items() if k.endswith("_usd")]
    assert money and all(isinstance(m, Decimal) for m in money)
    truth = engines.sandbox.expected_published(START, END)
    assert set(spark["providers"]) == set(truth)
    for provider, expected in truth.items():
        assert spark["providers"][provider]["usage"] == expected["usage"], provider
        for kind in ("invoiced", "measured"):
            published = spark["providers"][provider].get(f"{kind}_cost_usd", Decimal(0))
            assert published.quantize(Decimal("0.01")) == Decimal(
                expected[f"{kind}_cost_usd"]
            ).quantize(Decimal("0.01")), (provider, kind)


def test_an_incremental_run_overwrites_only_the_window_on_both_engines(engines):
    # OpenAI's completions usage of one day goes away: that day must lose it, no other day change
    completions = engines.landing / "openai" / "usage_completions"
    removed = list(completions.glob(f"*/{RESTATED_DAY.isoformat()}.parquet"))
    assert removed
    for path in removed:
        path.unlink()
    window = {
        "min_date": RESTATED_DAY.isoformat(),
        "max_date": (RESTATED_DAY + timedelta(days=1)).isoformat(),
    }
    engines.build_duckdb(window, SELECT_RESTATED)
    engines.build_spark(window, SELECT_RESTATED)
    with engines.connect() as con:
        assert {m: differing_rows(con, m) for m in INCREMENTAL_MARTS} == dict.fromkeys(
            INCREMENTAL_MARTS, 0
        )
        after = day_totals(con, "on_spark")
    before = engines.first["days"]["on_spark"]
    assert after[RESTATED_DAY] != before[RESTATED_DAY]
    assert {d: v for d, v in after.items() if d != RESTATED_DAY} == {
        d: v for d, v in before.items() if d != RESTATED_DAY
    }
