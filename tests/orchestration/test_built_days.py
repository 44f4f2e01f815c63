"""A run rebuilds the re-landed days of the day-grained sources whose files changed since the
warehouse built them, and every day when it has no record, other code, or a failed build behind it."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.built_days import (
    TABLE,
    built_state,
    code_fingerprint,
    day_grained_sources,
    first_changed_day,
    landed_tables,
    landing_state,
    rebuilt_every_landed_table,
    record_built,
)
from orchestration.lib.partitions import RefreshWindow
from tests.conftest import ROOT

WINDOW = RefreshWindow(date(2026, 11, 17), date(2026, 11, 21))
SOURCES = [("litellm", "spend_logs"), ("otlp_genai", "genai_spans")]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())


def land(landing: Path, source_type: str, entity: str, day: date, content: bytes) -> Path:
    path = landing / source_type / entity / f"{source_type}_main" / f"{day.isoformat()}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.fixture
def landing(tmp_path) -> Path:
    root = tmp_path / "landing"
    for offset in range(-2, 4):  # two days before the window, four in it
        day = WINDOW.start + timedelta(days=offset)
        for source_type, entity in SOURCES:
            land(root, source_type, entity, day, f"{source_type} {day}".encode())
    return root


def test_the_day_grained_sources_are_those_of_the_landed_models(manifest):
    assert day_grained_sources(manifest) == [
        ("litellm", "spend_logs"),
        ("litellm_export", "spend_logs"),
        ("otlp_genai", "genai_spans"),
    ]


def test_unchanged_days_are_not_rebuilt_and_a_changed_day_is_rebuilt_from(tmp_path, landing):
    warehouse = tmp_path / "warehouse.duckdb"
    state = landing_state(landing, SOURCES, WINDOW, "code-1")
    assert len(state.files) == 8  # the window's four days of each source, not the days before
    # no record yet: every day of the window
    assert built_state(warehouse, WINDOW) is None
    assert first_changed_day(state, None, WINDOW) == WINDOW.start
    assert record_built(warehouse, state, WINDOW.start, WINDOW.end) == 8

    built = built_state(warehouse, WINDOW)
    assert first_changed_day(landing_state(landing, SOURCES, WINDOW, "code-1"), built, WINDOW) == (
        WINDOW.end
    )
    # one source re-lands a day with other records: that day and the ones after it
    changed = WINDOW.start + timedelta(days=2)
    path = land(landing, "otlp_genai", "genai_spans", changed, b"a late span")
    now = landing_state(landing, SOURCES, WINDOW, "code-1")
    assert first_changed_day(now, built, WINDOW) == changed
    # a file gone from a day is a change of that day
    path.unlink()
    gone = landing_state(landing, SOURCES, WINDOW, "code-1")
    assert first_changed_day(gone, built, WINDOW) == changed
    # other code for the landed models: every day
    assert first_changed_day(landing_state(landing, SOURCES, WINDOW, "code-2"), built, WINDOW) == (
        WINDOW.start
    )


def test_a_file_replaced_with_the_same_size_is_a_change(tmp_path, landing):
    warehouse = tmp_path / "warehouse.duckdb"
    state = landing_state(landing, SOURCES, WINDOW, "code-1")
    record_built(warehouse, state, WINDOW.start, WINDOW.end)
    day = WINDOW.start + timedelta(days=1)
    path = landing / "litellm" / "spend_logs" / "litellm_main" / f"{day.isoformat()}.parquet"
    stat = path.stat()
    path.write_bytes(path.read_bytes().upper())
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    now = landing_state(landing, SOURCES, WINDOW, "code-1")
    assert first_changed_day(now, built_state(warehouse, WINDOW), WINDOW) == day


def test_a_record_keeps_the_days_it_did_not_build_and_drops_other_code(tmp_path, landing):
    warehouse = tmp_path / "warehouse.duckdb"
    state = landing_state(landing, SOURCES, WINDOW, "code-1")
    record_built(warehouse, state, WINDOW.start, WINDOW.end)
    # a later run that rebuilt only the last day records only that day again
    last = WINDOW.end - timedelta(days=1)
    assert record_built(warehouse, state, last, WINDOW.end) == 2
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(f"select count(*) from {TABLE}").fetchone() == (8,)
    # the first build with other code keeps only the days it built with that code
    record_built(warehouse, landing_state(landing, SOURCES, WINDOW, "code-2"), last, WINDOW.end)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(f"select distinct day, code from {TABLE}").fetchall() == [
            (last, "code-2")
        ]
    # so the other days count as changed
    now = landing_state(landing, SOURCES, WINDOW, "code-2")
    assert first_changed_day(now, built_state(warehouse, WINDOW), WINDOW) == WINDOW.start


def test_the_code_fingerprint_follows_the_landed_models_the_rating_and_the_macros(manifest):
    changed = json.loads(json.dumps(manifest))
    first = code_fingerprint(manifest)
    assert code_fingerprint(changed) == first
    # a landed model, the model that rates gateway rows, and the seed it resolves models with
    for name in ("int_litellm_requests", "int_usage_rated", "model_catalog"):
        changed = json.loads(json.dumps(manifest))
        node = next(n for n in changed["nodes"].values() if n["name"] == name)
        node["checksum"]["checksum"] = "edited"
        assert code_fingerprint(changed) != first, name
    unrelated = json.loads(json.dumps(manifest))
    next(n for n in unrelated["nodes"].values() if n["name"] == "dim_team")["checksum"][
        "checksum"
    ] = "edited"
    assert code_fingerprint(unrelated) == first


def test_only_a_build_of_every_landed_table_records_its_days(manifest):
    tables = landed_tables(manifest)
    assert {t.split(".")[-1] for t in tables} == {
        "int_litellm_requests",
        "int_otel_requests",
        "int_litellm_usage_normalized",
        "int_otel_usage_normalized",
        "int_litellm_costs_normalized",
        "int_gateway_requests_by_size",
        "int_gateway_requests_daily",
        "int_gateway_requests_hourly",
        "fct_gateway_requests_daily",
        "int_usage_rated",  # its gateway rows
    }
    results = {"results": [{"unique_id": t, "status": "success"} for t in sorted(tables)]}
    assert rebuilt_every_landed_table(manifest, results)
    # a run of a few selected models, or one whose request model failed
    assert not rebuilt_every_landed_table(manifest, {"results": results["results"][1:]})
    results["results"][0]["status"] = "error"
    assert not rebuilt_every_landed_table(manifest, results)
