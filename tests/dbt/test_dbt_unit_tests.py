"""dbt's unit tests (`unit_tests:` in the models' YAML): each model's SQL on fixed input rows
against hand-computed rows. dbt reads the column types of a unit test's inputs from the warehouse,
so the tested models and everything upstream are built first with no rows (`--empty`, over a
landing zone of zero-row files); then `dbt test` runs every unit test. The daily build and the
whole-history validation leave them out: they test code, not data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.dbt_build import dbt_build, dbt_invoke

ROOT = Path(__file__).resolve().parents[2]
# The unit tests each model has: a test dropped (or one added) from its YAML must change this.
UNIT_TESTS = {
    "int_saas_seat_activity_daily": 4,
    "int_usage_rated": 4,
    "fct_alerts": 3,
    "rpt_savings_opportunities": 3,
    "rpt_cost_reconciliation": 3,
    "int_spend_forecasts": 1,
}


def land_empty_sources(landing: Path) -> None:
    """A zero-row file with each source's columns: every ingest entity's landing schema and the
    governance and price tables, so the staging views over them can be created."""
    from governance.load import load_governance
    from orchestration.definitions import defs
    from orchestration.lib.ingest import ensure_landing_schemas
    from prices.catalog import ALIAS_SCHEMA, SCHEMA, Catalog
    from prices.landing import land_catalog

    defs()  # registers every ingest entity's landing schema
    ensure_landing_schemas(landing)
    (landing / "governance").mkdir(parents=True)
    for name, table in load_governance().tables().items():
        pq.write_table(table.schema.empty_table(), landing / "governance" / f"{name}.parquet")
    land_catalog(landing / "prices", Catalog(SCHEMA.empty_table(), ALIAS_SCHEMA.empty_table(), ""))


@pytest.fixture(scope="module")
def unit_tests(tmp_path_factory) -> tuple[dict, dict, str]:
    """dbt's run results and manifest of `dbt test --select test_type:unit`, and its output."""
    base = tmp_path_factory.mktemp("dbt_unit_tests")
    landing, database = base / "landing", base / "warehouse.duckdb"
    land_empty_sources(landing)
    # every model with unit tests and all it is built from, models and seeds, without rows
    dbt_build(base, database, landing, ["+test_type:unit"], tests=False, empty=True)
    target = base / "target"
    # a build writes no run results (--no-write-json); any left here must not be read as the tests'
    (target / "run_results.json").unlink(missing_ok=True)
    # the same settings as the build, so dbt starts from its parse state
    result, output = dbt_invoke(
        base, ["test", "--no-use-colors", "--select", "test_type:unit"], database
    )
    results = target / "run_results.json"
    # dbt's result is a failure when a unit test fails: the test below names it
    assert result.exception is None and results.exists(), output[-4000:]
    manifest = json.loads((target / "manifest.json").read_text())
    return json.loads(results.read_text()), manifest, output


def test_every_unit_test_passes(unit_tests):
    run_results, _, output = unit_tests
    failed = [r["unique_id"] for r in run_results["results"] if r["status"] != "pass"]
    assert failed == [], output[-6000:]


def test_every_unit_test_of_the_models_runs(unit_tests):
    run_results, manifest, _ = unit_tests
    defined = {uid: test["model"] for uid, test in manifest["unit_tests"].items()}
    ran = [r["unique_id"] for r in run_results["results"]]
    assert sorted(ran) == sorted(defined)
    assert {m: n for m, n in Counter(defined.values()).items() if m in UNIT_TESTS} == UNIT_TESTS
