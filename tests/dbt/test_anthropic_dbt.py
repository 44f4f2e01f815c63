"""Anthropic records landed by the connector from the sandbox, then dbt: the normalized totals equal
the sandbox ground truth, and the inclusive-input and cents rules hold on pinned rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors.anthropic.schemas import SCHEMAS
from connectors.config import SourceConfig
from orchestration.defs.ingest.anthropic import assets
from orchestration.lib.ingest import land_entity
from orchestration.lib.partitions import RefreshWindow
from sandbox.server import SandboxServer, SandboxState
from tests.conftest import TEST_SECRETS
from tests.dbt_build import dbt_build
from warehouse.landing import LandingWindow
from warehouse.paths import Paths

AS_OF = datetime(2026, 9, 22, 6, tzinfo=UTC)  # 2026-09-20 and 21 are still provisional
START, END = date(2026, 9, 1), date(2026, 9, 22)
PIN_DAY = date(2026, 9, 3)
MODELS = [
    "stg_anthropic__usage_messages",
    "stg_anthropic__costs",
    "stg_anthropic__claude_code_usage",
    "stg_anthropic__workspaces",
    "stg_anthropic__users",
    "stg_anthropic__api_keys",
    "int_anthropic_usage_normalized",
    "int_anthropic_costs_normalized",
]
MEASURES = (
    "request_count",
    "input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
)
BUCKET = {"starting_at": "2026-09-03T00:00:00Z", "ending_at": "2026-09-04T00:00:00Z"}
PINNED_USAGE = {
    **BUCKET,
    "api_key_id": None,
    "workspace_id": None,
    "model": "claude-opus-4-1-20250805",
    "service_tier": "batch",
    "context_window": "0-200k",
    "uncached_input_tokens": 1000,
    "cache_read_input_tokens": 2000,
    "cache_creation_ephemeral_5m_input_tokens": 300,
    "cache_creation_ephemeral_1h_input_tokens": 40,
    "output_tokens": 50,
    "server_tool_use_web_search_requests": 3,
}
PINNED_COSTS = [
    {
        **BUCKET,
        "workspace_id": "wrkspc_01Pinned",
        "description": "Claude Opus 4.1 Usage - Output Tokens",
        "cost_type": "tokens",
        "model": "claude-opus-4-1-20250805",
        "token_type": "output_tokens",
        "service_tier": "standard",
        "context_window": "0-200k",
        "amount": "12345678901234567890.12345",
        "currency": "USD",
    },
    {
        **BUCKET,
        "workspace_id": None,
        "description": "Claude Sonnet 4.5 Usage - 1h Cache Write Input Tokens",
        "cost_type": "tokens",
        "model": "claude-sonnet-4-5-20250929",
        "token_type": "cache_creation.ephemeral_1h_input_tokens",
        "service_tier": "batch",
        "context_window": "0-200k",
        "amount": "14.4630",
        "currency": "USD",
    },
    {
        **BUCKET,
        "workspace_id": None,
        "description": "Claude Haiku 4.5 Usage",
        "cost_type": "tokens",
        "model": "claude-haiku-4-5-20251001",
        "token_type": None,  # a report not grouped by token type
        "service_tier": None,
        "context_window": None,
        "amount": "25.0",
        "currency": "USD",
    },
    {
        **BUCKET,
        "workspace_id": None,
        "description": "Web Search Usage",
        "cost_type": "web_search",
        "model": None,
        "token_type": None,
        "service_tier": None,
        "context_window": None,
        "amount": "3.0",
        "currency": "USD",
    },
]


def land_pinned(landing: Path) -> None:
    for entity, records in (("usage_messages", [PINNED_USAGE]), ("costs", PINNED_COSTS)):
        with LandingWindow(
            landing, "anthropic", entity, "anthropic_pinned", SCHEMAS[entity], [PIN_DAY]
        ) as window:
            window.add(records, lambda _r: PIN_DAY)
            window.commit()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("anthropic_dbt")
    landing = base / "data" / "landing"
    state = SandboxState(secrets=dict(TEST_SECRETS), as_of=AS_OF)
    with (
        SandboxServer(state) as server,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv("AIUW_DATA_DIR", str(base / "data"))
        patch.setenv("AIUW_LANDING_DIR", str(landing))
        patch.setenv("ANTHROPIC_BASE_URL", server.url)
        source = SourceConfig(
            id="anthropic_test",
            type="anthropic",
            secret_env="ANTHROPIC_ADMIN_KEY",
            max_attempts=2,
            backoff_base_seconds=0.01,
        )
        for entity in assets.ENTITIES:
            land_entity(
                "anthropic",
                entity,
                source,
                RefreshWindow(START, END),
                Paths.from_env(),
                assets.open_client,
            )
        truth = state.provider("anthropic").ground_truth(START, END, AS_OF)
    land_pinned(landing)
    database = base / "warehouse.duckdb"
    dbt_build(base, database, landing, MODELS)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, truth


def test_normalized_totals_equal_the_ground_truth(warehouse):
    con, truth = warehouse
    sums = ", ".join(f"coalesce(sum({m}), 0)" for m in MEASURES)
    usage = con.execute(
        f"select {sums} from intermediate.int_anthropic_usage_normalized where source_id = ?",
        ["anthropic_test"],
    ).fetchone()
    (cost,) = con.execute(
        "select sum(billed_cost) from intermediate.int_anthropic_costs_normalized "
        "where source_id = 'anthropic_test'"
    ).fetchone()
    assert dict(zip(MEASURES, map(int, usage), strict=True)) == truth["usage"]
    assert truth["usage"]["input_tokens"] > truth["usage"]["cache_read_input_tokens"] > 0
    assert cost == Decimal(truth["invoiced_cost_usd"])  # exact, not merely to the cent


def test_input_is_inclusive_of_cache_reads_and_both_cache_writes(warehouse):
    con, _ = warehouse
    rows = con.execute(
        """
        select operation, project_id, credential_id, is_batch, service_tier, request_count,
            input_tokens, cache_read_input_tokens, cache_creation_input_tokens, output_tokens,
            unit_count, unit
        from intermediate.int_anthropic_usage_normalized
        where source_id = 'anthropic_pinned' order by operation
        """
    ).fetchall()
    assert rows == [
        # 1000 uncached + 2000 cache read + 300 (5m) + 40 (1h) cache writes
        ("chat", "default", "default", True, "batch", 0, 3340, 2000, 340, 50, None, None),
        ("web_search", "default", "default", True, "batch", 0, 0, 0, 0, 0, Decimal(3), "searches"),
    ]


def test_cents_become_exact_dollars(warehouse):
    con, _ = warehouse
    rows = con.execute(
        """
        select project_id, credential_id, token_type, pricing_tier, billed_cost, effective_cost
        from intermediate.int_anthropic_costs_normalized
        where source_id = 'anthropic_pinned' order by billed_cost
        """
    ).fetchall()
    assert rows == [
        ("default", "default", "other", "standard", Decimal("0.03"), Decimal("0.03")),
        (
            "default",
            "default",
            "cache_creation_input",
            "batch",
            Decimal("0.14463"),
            Decimal("0.14463"),
        ),
        ("default", "default", "tokens", "standard", Decimal("0.25"), Decimal("0.25")),
        (
            "wrkspc_01Pinned",
            "wrkspc_01Pinned",
            "output",
            "standard",
            Decimal("123456789012345678.9012345"),
            Decimal("123456789012345678.9012345"),
        ),
    ]


def test_claude_code_and_inventory_are_staged_but_not_counted_as_usage(warehouse):
    con, _ = warehouse
    actors, users, estimate = con.execute(
        """
        select count(distinct actor_id), count(distinct actor_email), sum(estimated_cost_cents)
        from staging.stg_anthropic__claude_code_usage
        """
    ).fetchone()
    assert users == 40 and actors == 41  # 40 engineers on seats and one CI API key
    assert estimate > 0
    (sessions_once,) = con.execute(
        """
        select count(*) from staging.stg_anthropic__claude_code_usage
        where model_position = 0 and actor_type = 'user_actor'
        """
    ).fetchone()
    assert (
        sessions_once
        == con.execute(
            "select count(distinct (usage_date, actor_id)) from staging.stg_anthropic__claude_code_usage "
            "where actor_type = 'user_actor'"
        ).fetchone()[0]
    )
    counts = con.execute(
        """
        select
            (select count(distinct workspace_id) from staging.stg_anthropic__workspaces),
            (select count(*) from staging.stg_anthropic__workspaces where archived_at is not null),
            (select count(distinct api_key_id) from staging.stg_anthropic__api_keys),
            (select count(distinct user_id) from staging.stg_anthropic__users)
        """
    ).fetchone()
    assert counts == (6, 1, 11, 48)
