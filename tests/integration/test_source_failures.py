"""A source that misbehaves fails with a clear error and leaves landed data alone; schema drift is kept."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pyarrow.parquet as pq
import pytest

from connectors.config import load_sources
from connectors.errors import SourceRequestError
from orchestration.defs.ingest.openai.assets import ENTITIES, open_client
from orchestration.lib.ingest import land_entity
from orchestration.lib.partitions import RefreshWindow
from tests.canned_server import CannedServer
from tests.conftest import FIXTURES, TEST_SECRETS
from warehouse.paths import Paths

WINDOW = RefreshWindow(date(2026, 9, 1), date(2026, 9, 3))
COSTS = next(e for e in ENTITIES if e.name == "costs")
COMPLETIONS = next(e for e in ENTITIES if e.name == "usage_completions")


@pytest.fixture
def source():
    return next(
        s for s in load_sources(FIXTURES / "sources.test.yml").sources if s.type == "openai"
    )


def fault(sandbox, **spec) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/faults", json=spec).raise_for_status()


def land(entity, source, paths):
    return land_entity("openai", entity, source, WINDOW, paths, open_client)


def test_malformed_json_fails_clearly_and_keeps_the_previous_files(sandbox, source, data_dir):
    paths = Paths.from_env()
    first = land(COSTS, source, paths)
    before = {d.path: d.path.read_bytes() for d in first}
    fault(sandbox, path="/v1/organization/costs", kind="malformed_json", times=5)
    with pytest.raises(SourceRequestError, match="response is not JSON"):
        land(COSTS, source, paths)
    assert {d.path: d.path.read_bytes() for d in first} == before


def test_a_dropped_connection_is_retried_then_fails_without_the_key(sandbox, source, data_dir):
    fault(sandbox, path="/v1/organization/costs", kind="disconnect", times=100)
    with pytest.raises(SourceRequestError) as raised:
        land(COSTS, source, Paths.from_env())
    assert "no response" in str(raised.value) and "after 4 attempts" in str(raised.value)
    assert TEST_SECRETS["OPENAI_ADMIN_KEY"] not in str(raised.value)


def test_connection_refused_is_a_clear_error(source, data_dir, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens on port 9
    with pytest.raises(
        SourceRequestError, match=r"openai_test: GET http://127.0.0.1:9/v1/organization/costs"
    ):
        land(COSTS, source, Paths.from_env())


def test_unknown_fields_are_kept_and_missing_optional_fields_become_null(
    source, data_dir, monkeypatch
):
    bucket = {
        "object": "bucket",
        "start_time": 1788220800,
        "end_time": 1788307200,
        "results": [
            {
                "object": "organization.usage.completions.result",
                "input_tokens": 100,
                "output_tokens": 7,
                "num_model_requests": 2,
                "project_id": "proj_x",
                "model": "gpt-4.1",
                "user_id": None,
                "api_key_id": None,
                "batch": None,
                "service_tier": None,
                "input_reasoning_summary_tokens": 3,
                "region": {"name": "eu"},
            }
        ],
    }
    page = {"object": "page", "data": [bucket], "has_more": False, "next_page": None}
    with CannedServer(lambda path, query: (200, {}, json.dumps(page))) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
        landed = land(COMPLETIONS, source, Paths.from_env())
    rows = pq.read_table(landed[0].path).to_pylist()
    assert len(rows) == 1
    assert json.loads(rows[0]["_extra_json"]) == {
        "input_reasoning_summary_tokens": 3,
        "region": {"name": "eu"},
    }
    assert rows[0]["input_cached_tokens"] is None and rows[0]["input_tokens"] == 100
    assert pq.read_table(landed[1].path).num_rows == 0  # the second day of the window was empty
