"""An endpoint the account does not serve (HTTP 403 or 404) fails at once, without retries, with an
EndpointNotServed naming source, status and the path without its query; over real HTTP against the
sandbox, in the shared client and the SaaS client."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import httpx
import pytest

from connectors.errors import EndpointNotServed, SourceRequestError
from connectors.github_copilot.client import GitHubCopilotClient
from connectors.openai.client import OpenAIAdminClient
from tests.conftest import TEST_ADMIN_KEY, TEST_SECRETS

START = datetime(2026, 9, 1, tzinfo=UTC)
END = datetime(2026, 9, 4, tzinfo=UTC)
COSTS_PATH = "/v1/organization/costs"
FAST = {"backoff_base": 0.01, "backoff_max": 0.05, "max_attempts": 4}


def add_fault(server, **fault) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=fault).raise_for_status()


@pytest.mark.parametrize("status", [404, 403])
def test_a_404_or_403_is_not_retried_and_names_the_path(sandbox, status):
    add_fault(sandbox, path=COSTS_PATH, status=status, times=100)
    with (
        OpenAIAdminClient(TEST_ADMIN_KEY, f"{sandbox.url}/v1", source_id="openai_x", **FAST) as c,
        pytest.raises(EndpointNotServed) as raised,
    ):
        list(c.costs(START, END))
    error = raised.value
    assert sandbox.state.faults[0].seen == 1  # one request, where a 500 gets max_attempts
    assert (error.source, error.status, error.path) == ("openai_x", status, COSTS_PATH)
    assert error.url == f"{sandbox.url}{COSTS_PATH}"  # no query
    assert isinstance(error, SourceRequestError)
    assert TEST_ADMIN_KEY not in str(error)


def test_a_500_is_retried_and_is_not_an_unserved_endpoint(sandbox):
    add_fault(sandbox, path=COSTS_PATH, status=500, times=100)
    with (
        OpenAIAdminClient(TEST_ADMIN_KEY, f"{sandbox.url}/v1", **FAST) as client,
        pytest.raises(SourceRequestError) as raised,
    ):
        list(client.costs(START, END))
    assert sandbox.state.faults[0].seen == 4
    assert not isinstance(raised.value, EndpointNotServed)


def test_the_saas_client_treats_a_plain_403_as_unserved_but_retries_a_rate_limit(sandbox):
    sandbox.state.as_of = datetime(2026, 9, 21, 6, tzinfo=UTC)
    seats = "/orgs/example-corp/copilot/billing/seats"
    token = TEST_SECRETS["GITHUB_TOKEN"]
    add_fault(sandbox, path=seats, status=403, times=100)
    with (
        GitHubCopilotClient(token, "example-corp", sandbox.url, **FAST) as client,
        pytest.raises(EndpointNotServed) as raised,
    ):
        list(client.seats())
    assert sandbox.state.faults[0].seen == 1
    assert (raised.value.status, raised.value.path) == (403, seats)

    httpx.delete(f"{sandbox.url}/_sandbox/faults").raise_for_status()
    add_fault(sandbox, path=seats, status=403, times=100, retry_after=0)  # a secondary rate limit
    with (
        GitHubCopilotClient(token, "example-corp", sandbox.url, **FAST) as client,
        pytest.raises(SourceRequestError) as raised,
    ):
        list(client.seats())
    assert sandbox.state.faults[0].seen == 4
    assert not isinstance(raised.value, EndpointNotServed)


def test_an_unserved_endpoint_fails_only_its_entity_in_one_line(sandbox, data_dir, capfd):
    from alerting.operational import evaluate
    from governance.schema import OperationsThresholds
    from orchestration.defs.ingest.openai.assets import ENTITIES, open_client
    from orchestration.lib.ingest import build_ingest_asset
    from orchestration.lib.sources import sources_config
    from warehouse.paths import Paths
    from warehouse.run_status import source_pulls

    sources_config.cache_clear()
    config = sources_config()
    add_fault(sandbox, path=COSTS_PATH, status=404, times=100)
    wanted = ("usage_completions", "costs", "users")
    assets = [build_ingest_asset("openai", e, open_client) for e in ENTITIES if e.name in wanted]
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        assets, partition_key="2026-09-10", instance=instance, raise_on_error=False
    )

    line = (
        "HTTP 404 from /v1/organization/costs: the account does not serve this endpoint: add "
        f"`exclude_entities: [costs]` to source openai_test in {config.path}, or grant the key "
        "Admin API read access to usage, costs and projects"
    )
    assert result.success  # the other entities land, and the run goes on to publish
    assert sandbox.state.faults[0].seen == 1  # not retried
    landing = Paths.from_env().landing / "openai"
    assert [e for e in wanted if (landing / e / "openai_test").is_dir()] == [
        "usage_completions",
        "users",
    ]

    entries = instance.all_logs(result.run_id)
    texts = [
        e.user_message + str(getattr(e.dagster_event, "event_specific_data", "")) for e in entries
    ]
    assert [e.user_message for e in entries if "404" in e.user_message] == [
        f"openai/costs: source openai_test: {line}"
    ]
    assert not [t for t in texts if "Traceback" in t or "Stack Trace" in t or 'File "' in t]
    printed = capfd.readouterr().err
    assert sum("HTTP 404" in printed_line for printed_line in printed.splitlines()) == 1
    assert "Traceback" not in printed and "Stack Trace" not in printed

    costs = next(m for m in result.asset_materializations_for_node("raw__openai__costs")).metadata
    assert costs["failed_sources"].data == {"openai_test": line}
    pull = source_pulls(Paths.from_env().data)[("openai", "openai_test", "costs")]
    assert (pull.ok, pull.error) == (False, line)
    conditions, _ = evaluate(
        Paths.from_env(), OperationsThresholds(), config.sources, datetime.now(UTC)
    )
    failed = [c for c in conditions if c.condition_type == "source_failed"]
    assert [c.subject for c in failed] == ["source openai/openai_test"]
    assert failed[0].summary.endswith(line)
