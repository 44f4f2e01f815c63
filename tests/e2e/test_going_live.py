"""Going live, as a new enterprise does: a sources file with only an OpenAI and an Anthropic source,
the governance starter (`python -m governance.init`), a week of history, over real HTTP against the
sandbox. The release publishes with every token and cent of both providers; the marts no configured
source feeds publish empty, their size not checked; the starter declares no credential, so the
attribution share is a failed warning that publishes and raises one alert.

This module runs its own deployment, so the shared one keeps the whole sandbox enterprise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import get_args

import duckdb
import httpx
import pytest
import yaml

from alerting.delivery import build_senders, current_messages, deliver
from governance.init import write_starter
from governance.load import governance_dir, load_governance
from governance.schema import Channels, DataCategory, UseCategory, WebhookChannel
from orchestration.lib.sources import sources_config
from sandbox.server import SandboxServer, SandboxState
from tests.alert_receivers import WebhookReceiver
from tests.e2e.deployment import Deployment, sources_subset
from warehouse.paths import Paths
from warehouse.publish import current_dir
from warehouse.run_status import source_pulls

pytestmark = pytest.mark.e2e

START, END = date(2026, 9, 1), date(2026, 9, 7)
CLOCK = datetime(2026, 9, 12, 6, tzinfo=UTC)  # every day of the range has settled
PROVIDERS = ("openai", "anthropic")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    base = tmp_path_factory.mktemp("going_live")
    data, governance = base / "data", base / "governance"
    write_starter(governance)
    with pytest.MonkeyPatch.context() as patch, SandboxServer(SandboxState()) as server:
        patch.setenv("AIUW_DATA_DIR", str(data))
        patch.setenv("DBT_LOG_PATH", str(data / "dbt_logs"))
        patch.setenv("AIUW_SOURCES", str(sources_subset(base / "sources.yml", PROVIDERS, START)))
        patch.setenv("AIUW_GOVERNANCE_DIR", str(governance))
        for name, value in server.environment().items():
            patch.setenv(name, value)
        sources_config.cache_clear()
        try:
            httpx.post(
                f"{server.url}/_sandbox/clock", json={"as_of": CLOCK.isoformat()}
            ).raise_for_status()
            deployment = Deployment(data, server, patch)
            deployment.first_result = deployment.run(partition_range=(START, END))
            yield deployment
        finally:
            sources_config.cache_clear()


def evaluations(result) -> dict[str, tuple[bool, str, dict]]:
    found = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.asset_check_evaluation_data
            metadata = {k: getattr(v, "value", v) for k, v in data.metadata.items()}
            found[data.check_name] = (data.passed, data.severity.value, metadata)
    return found


def test_two_sources_and_the_starter_publish_every_token_and_cent(live):
    ingest, transform = live.first_result
    assert ingest.success and transform.success
    published = live.published_totals()
    assert set(published) == set(PROVIDERS)
    for provider in PROVIDERS:
        truth = live.sandbox.state.provider(provider).ground_truth(
            START, END + timedelta(days=1), CLOCK
        )
        assert published[provider]["usage"] == truth["usage"], provider
        assert Decimal(published[provider]["invoiced_cost_usd"]).quantize(Decimal("0.01")) == (
            Decimal(truth["invoiced_cost_usd"]).quantize(Decimal("0.01"))
        ), provider


def test_marts_no_configured_source_feeds_publish_empty_without_a_size_check(live):
    _ingest, transform = live.first_result
    checks = evaluations(transform)
    for mart in ("fct_gateway_requests_daily", "fct_seat_assignments_daily"):
        passed, _severity, metadata = checks[f"gx_{mart}"]
        assert passed, mart
        (skipped,) = [
            s
            for s in metadata["skipped_expectations"]
            if s["expectation"] == "expect_table_row_count_to_be_between"
        ]
        assert skipped["reason"].startswith(f"no configured source feeds {mart}")
        with duckdb.connect(str(live.published_db), read_only=True) as con:
            assert con.execute(f"select count(*) from main.{mart}").fetchone() == (0,)


def test_undeclared_usage_is_a_warning_that_publishes_and_raises_one_alert(live):
    _ingest, transform = live.first_result
    passed, severity, metadata = evaluations(transform)["gx_fct_ai_usage_daily"]
    assert (passed, severity) == (False, "WARN")
    assert metadata["failed_expectations"] == []
    assert [w["expectation"] for w in metadata["warnings"]] == [
        "aiuw_expect_weighted_share_to_be_between"
    ]
    assert [e for e in transform.all_events if e.is_step_failure] == []

    governance = load_governance()
    config = governance.alerting.model_copy(
        update={"channels": Channels(webhook=WebhookChannel(url_env="E2E_ALERT_HOOK"))}
    )
    log = live.data / "alerts" / "e2e-deliveries.jsonl"
    with WebhookReceiver() as hook:
        for _ in range(2):  # the second pass sends nothing new
            senders, waiting = build_senders(config, {"E2E_ALERT_HOOK": hook.url("/hook")})
            assert waiting == {}
            _, messages = current_messages(Paths.from_env(), governance)
            deliver(messages, config, log, senders, sleep=lambda _: None)
            for sender in senders.values():
                sender.close()
        quality = [b for b in hook.bodies if "data quality" in b["text"].lower()]
    assert len(quality) == 1, [b["text"] for b in hook.bodies]
    text = quality[0]["text"] + str(quality[0]["blocks"])
    assert "suite fct_ai_usage_daily failed 0 critical and 1 warning" in text
    assert "the release was published" in text


def declare_everything(governance: Path, release: Path) -> int:
    """Rewrite the starter so that its application declares every credential and approves every
    model the release saw; every agreement allows every data category. Returns the credentials."""
    with duckdb.connect(str(release), read_only=True) as con:
        credentials = con.execute(
            "select distinct credential_provider, project_id, credential_id from main.rpt_shadow_ai"
        ).fetchall()
        models = con.execute(
            "select distinct provider, model_id from main.fct_ai_usage_daily order by all"
        ).fetchall()
    data_categories, use_categories = list(get_args(DataCategory)), list(get_args(UseCategory))
    app = yaml.safe_load((governance / "applications.yml").read_text())["applications"][0]
    app.update(
        environments=["production", "staging", "development"],
        approved_models=sorted({model for _provider, model in models}),
        lifecycle_status="production",
        controls={**app["controls"], "prompt_logging_allowed": True},
        credentials=[
            {
                "provider": provider,
                "kind": "project" if credential == project else "api_key",
                "id": credential,
                "environment": "production",
            }
            for provider, project, credential in sorted(credentials)
        ],
    )
    (governance / "applications.yml").write_text(yaml.safe_dump({"applications": [app]}))
    terms = yaml.safe_load((governance / "models.yml").read_text())
    for agreement in terms["providers"]:
        agreement["allowed_data_categories"] = data_categories
    terms["models"] = [
        {
            "id": model,
            "family": model,
            "providers": sorted({p for p, m in models if m == model}),
            "review_status": "approved",
            "allowed_use_categories": use_categories,
            "allowed_data_categories": data_categories,
        }
        for model in sorted({m for _p, m in models})
    ]
    (governance / "models.yml").write_text(yaml.safe_dump(terms, sort_keys=False))
    return len(credentials)


def test_a_governance_that_declares_everything_publishes_no_violations(live):
    with duckdb.connect(str(live.published_db), read_only=True) as con:
        before = con.execute("select count(*) from main.fct_policy_violations").fetchone()[0]
    assert before > 0  # the starter declares no credential: all usage is shadow AI
    declared = declare_everything(governance_dir(), live.published_db)
    assert declared > 0
    result = live.run_job(live.transform, None, partition_range=(START, END))
    assert result.success
    passed, _severity, metadata = evaluations(result)["gx_fct_policy_violations"]
    assert passed and metadata["rows"] == 0
    with duckdb.connect(str(live.published_db), read_only=True) as con:
        assert con.execute("select count(*) from main.fct_policy_violations").fetchone() == (0,)
        assert con.execute("select count(*) from main.rpt_shadow_ai").fetchone() == (0,)
    # declared, the usage is attributed: the attribution warning is gone
    assert evaluations(result)["gx_fct_ai_usage_daily"][0] is True


def test_an_endpoint_the_account_does_not_serve_fails_its_entity_in_one_line_and_publishes(live):
    """The account has no Claude Code analytics (404): a daily run lands the other entities, logs
    that one in a single line with the fix, and publishes a new release with the same totals."""
    unserved = "/v1/organizations/usage_report/claude_code"
    release_before = current_dir(live.data / "published").resolve()
    httpx.post(
        f"{live.sandbox.url}/_sandbox/faults", json={"path": unserved, "status": 404, "times": 100}
    ).raise_for_status()
    try:
        ingest, transform = live.run(END, partition_range=(START, END))
    finally:
        httpx.delete(f"{live.sandbox.url}/_sandbox/faults").raise_for_status()
    assert ingest.success and transform.success

    messages = [e.user_message for e in live.instance.all_logs(ingest.run_id)]
    assert [m for m in messages if "HTTP 404" in m] == [
        "anthropic/claude_code_usage: source anthropic_test: HTTP 404 from "
        f"{unserved}: the account does not serve this endpoint: add `exclude_entities: "
        f"[claude_code_usage]` to source anthropic_test in {sources_config().path}, or grant the "
        "key Admin API access (an sk-ant-admin key of the organization)"
    ]
    assert not [m for m in messages if "Traceback" in m or 'File "' in m]
    pulls = source_pulls(live.data)
    assert pulls[("anthropic", "anthropic_test", "claude_code_usage")].ok is False
    assert pulls[("anthropic", "anthropic_test", "usage_messages")].ok is True

    assert current_dir(live.data / "published").resolve() != release_before
    published = live.published_totals()
    for provider in PROVIDERS:
        truth = live.sandbox.state.provider(provider).ground_truth(
            START, END + timedelta(days=1), CLOCK
        )
        assert published[provider]["usage"] == truth["usage"], provider
