"""The dbt project on Spark (session method, local JVM) from the same landing Parquet as DuckDB: the
usage, cost and gateway marts and everything feeding them build, and every mart row equals DuckDB's
(keys, tokens, requests and DECIMAL money exactly; latency percentiles to floating-point rounding).
A second, incremental run over one day after that day's landing changed overwrites that day only,
on both engines alike.

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
from tests.dbt_build import dbt_build
from tests.spark.landing_slice import END, START, land_slice

pytestmark = pytest.mark.spark

# mart -> its key; the selection is every model, seed and source these marts are built from
MARTS = {
    "fct_ai_usage_daily": "usage_key",
    "fct_ai_cost_daily": "cost_key",
    "fct_gateway_requests_daily": "gateway_request_key",
}
SELECT = [f"+{mart}" for mart in MARTS]
# The incremental run: what reads the changed landing, and every incremental model (each overwrites
# the window from inputs that did not change); the other tables would rebuild the same rows.
RESTATED_MODEL = "stg_openai__usage_completions"
SELECT_RESTATED = [
    selector
    for mart in MARTS
    for selector in (f"{RESTATED_MODEL}+,+{mart}", f"config.materialized:incremental,+{mart}")
]
FLOAT_COLUMNS = {"latency_p50_ms", "latency_p95_ms"}
RESTATED_DAY = START + timedelta(days=1)


class Engines:
    """Both builds of the same landing zone, queried through one DuckDB connection."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.landing = base / "landing"
        self.duckdb_file = base / "warehouse.duckdb"
        self.spark_dir = base / "spark_warehouse"

    def build_duckdb(self, dbt_vars: dict | None = None, select: list[str] = SELECT) -> None:
        dbt_build(
            self.base / "duckdb",
            self.duckdb_file,
            self.landing,
            select,
            cautious=True,
            dbt_vars=dbt_vars,
        )

    def build_spark(self, dbt_vars: dict | None = None, select: list[str] = SELECT) -> None:
        dbt_build(
            self.base / "spark",
            self.base / "not_used.duckdb",
            self.landing,
            select,
            target="spark",
            tests=False,  # DuckDB runs the data tests; here the rows are compared instead
            env={"AIUW_SPARK_WAREHOUSE_DIR": str(self.spark_dir)},
            dbt_vars=dbt_vars,
            timeout=900,
        )

    def connect(self) -> duckdb.DuckDBPyConnection:
        """DuckDB's marts as on_duckdb.<mart>, Spark's as on_spark.<mart> (its Parquet, day-partitioned)."""
        con = duckdb.connect()
        con.execute(f"attach '{self.duckdb_file}' as warehouse (read_only)")
        con.execute("create schema on_duckdb")
        con.execute("create schema on_spark")
        for mart in MARTS:
            files = self.spark_dir / "warehouse" / "marts.db" / mart / "*" / "*.parquet"
            columns = [r[0] for r in con.execute(f"describe warehouse.marts.{mart}").fetchall()]
            spark_columns = ", ".join(
                "cast(usage_date as date) as usage_date" if c == "usage_date" else c
                for c in columns
            )
            con.execute(f"create view on_duckdb.{mart} as select * from warehouse.marts.{mart}")
            con.execute(
                f"create view on_spark.{mart} as select {spark_columns} "
                f"from read_parquet('{files}', hive_partitioning = true)"
            )
        return con


def exact_columns(con: duckdb.DuckDBPyConnection, mart: str) -> str:
    columns = [r[0] for r in con.execute(f"describe on_duckdb.{mart}").fetchall()]
    return ", ".join(c for c in columns if c not in FLOAT_COLUMNS)


def differing_rows(con: duckdb.DuckDBPyConnection, mart: str) -> int:
    columns = exact_columns(con, mart)
    return con.execute(
        f"""
        select count(*) from (
            (select {columns} from on_duckdb.{mart} except all select {columns} from on_spark.{mart})
            union all
            (select {columns} from on_spark.{mart} except all select {columns} from on_duckdb.{mart})
        )
        """
    ).fetchone()[0]


def totals(con: duckdb.DuckDBPyConnection, schema: str) -> dict:
    con.execute(f"use {schema}")
    try:
        figures = provider_totals(con)
    finally:
        con.execute("use memory.main")
    gateway = con.execute(
        f"""
        select gateway, sum(request_count), sum(input_tokens), sum(output_tokens),
            sum(measured_cost_usd)
        from {schema}.fct_gateway_requests_daily group by gateway
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
    engines.build_duckdb()
    engines.build_spark()
    engines.sandbox = sandbox
    with engines.connect() as con:
        engines.first = {
            "totals": {e: totals(con, e) for e in ("on_duckdb", "on_spark")},
            "days": {e: day_totals(con, e) for e in ("on_duckdb", "on_spark")},
            "differing": {m: differing_rows(con, m) for m in MARTS},
            "rows": {
                m: con.execute(f"select count(*) from on_spark.{m}").fetchone()[0] for m in MARTS
            },
        }
    return engines


def test_every_mart_row_is_the_same_on_spark_and_on_duckdb(engines):
    assert all(n > 0 for n in engines.first["rows"].values()), engines.first["rows"]
    assert engines.first["differing"] == dict.fromkeys(MARTS, 0)


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


def test_latency_percentiles_agree_to_rounding(engines):
    with engines.connect() as con:
        pairs = con.execute(
            """
            select d.latency_p50_ms, s.latency_p50_ms, d.latency_p95_ms, s.latency_p95_ms
            from on_duckdb.fct_gateway_requests_daily as d
            inner join on_spark.fct_gateway_requests_daily as s using (gateway_request_key)
            """
        ).fetchall()
    assert len(pairs) == engines.first["rows"]["fct_gateway_requests_daily"]
    for d50, s50, d95, s95 in pairs:
        assert math.isclose(d50, s50, rel_tol=1e-12) and math.isclose(d95, s95, rel_tol=1e-12)


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
        assert {m: differing_rows(con, m) for m in MARTS} == dict.fromkeys(MARTS, 0)
        after = day_totals(con, "on_spark")
    before = engines.first["days"]["on_spark"]
    assert after[RESTATED_DAY] != before[RESTATED_DAY]
    assert {d: v for d, v in after.items() if d != RESTATED_DAY} == {
        d: v for d, v in before.items() if d != RESTATED_DAY
    }
