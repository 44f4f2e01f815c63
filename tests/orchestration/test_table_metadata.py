"""dbt table materializations get row counts, exact money totals per currency and a preview."""

from __future__ import annotations

import logging
from decimal import Decimal

import dagster as dg
import duckdb

from orchestration.lib.table_metadata import release_totals, with_table_metadata
from warehouse.publish import publish

LOG = logging.getLogger("test")
ROWS = [
    ("c1", "USD", Decimal("10.1234567891")),
    ("c2", "USD", Decimal("0.0000000009")),
    ("c3", "EUR", Decimal("7.5")),
    ("c4", "EUR", None),
]


def manifest(**materialized: str) -> dict:
    return {
        "nodes": {
            f"model.p.{name}": {"schema": "marts", "name": name, "config": {"materialized": kind}}
            for name, kind in materialized.items()
        }
    }


def output(name: str) -> dg.Output:
    return dg.Output(None, output_name=name, metadata={"unique_id": f"model.p.{name}"})


def warehouse_with_cost_table(path):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_cost (cost_key varchar, billing_currency varchar, "
            "billed_cost decimal(38,10))"
        )
        con.executemany("insert into marts.fct_cost values (?, ?, ?)", ROWS)
        con.execute("create view marts.v_cost as select * from marts.fct_cost")
        con.execute("create table marts.dim_plain (id integer, amount decimal(18,2))")
        con.execute("insert into marts.dim_plain values (1, 2.50), (2, 0.25)")
    return path


def test_table_events_carry_counts_totals_and_preview(tmp_path):
    warehouse = warehouse_with_cost_table(tmp_path / "w.duckdb")
    events = [output("fct_cost"), output("v_cost"), output("dim_plain"), "not an output"]
    nodes = manifest(fct_cost="incremental", v_cost="view", dim_plain="table")

    cost, view, plain, other = with_table_metadata(events, nodes, warehouse, LOG)

    assert cost.metadata["dagster/row_count"].value == len(ROWS)
    expected = {}
    for _, currency, amount in ROWS:
        expected.setdefault(currency, Decimal(0))
        expected[currency] += amount or 0
    totals = cost.metadata["totals"].value
    assert {k: Decimal(v["billed_cost"]) for k, v in totals.items()} == {
        f"billing_currency={c}": t for c, t in expected.items()
    }
    assert totals["billing_currency=USD"]["billed_cost"] == "10.1234567900"
    preview = cost.metadata["preview"].value.splitlines()
    assert preview[0] == "| cost_key | billing_currency | billed_cost |"
    assert len(preview) == 2 + len(ROWS)
    assert cost.metadata["unique_id"].value == "model.p.fct_cost"  # dbt's own metadata kept

    assert "dagster/row_count" not in view.metadata  # views are not counted
    assert plain.metadata["totals"].value == {"amount": "2.75"}
    assert other == "not an output"


def test_missing_warehouse_leaves_events_unchanged(tmp_path):
    events = [output("fct_cost")]
    (unchanged,) = with_table_metadata(
        events, manifest(fct_cost="table"), tmp_path / "absent.duckdb", LOG
    )
    assert unchanged is events[0]


def test_published_release_totals(tmp_path):
    warehouse = warehouse_with_cost_table(tmp_path / "w.duckdb")
    release = publish(warehouse, tmp_path / "published", ["fct_cost", "dim_plain"], "run-1")
    totals = release_totals(release.database, ["fct_cost", "dim_plain"])
    assert totals == {
        "fct_cost": {
            "billing_currency=EUR": {"billed_cost": "7.5000000000"},
            "billing_currency=USD": {"billed_cost": "10.1234567900"},
        },
        "dim_plain": {"amount": "2.75"},
    }
