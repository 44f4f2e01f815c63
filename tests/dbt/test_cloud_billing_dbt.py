"""Azure FOCUS and Vertex billing exports through landing and dbt: normalized totals equal the sandbox's
ground truth, and the pricing-block and meter-pattern rules hold on pinned rows."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime
from decimal import Decimal

import duckdb
import pytest

from connectors.config import SourceConfig
from orchestration.defs.ingest.azure_focus import assets as azure_assets
from orchestration.defs.ingest.gcp_billing_export import assets as gcp_assets
from orchestration.lib.ingest import land_entity
from orchestration.lib.partitions import RefreshWindow, whole_months
from sandbox.activity import Activity
from sandbox.enterprise import Enterprise
from sandbox.providers import azure_openai, google_vertex
from tests.dbt_build import dbt_build
from warehouse.paths import Paths

AS_OF = datetime(2026, 9, 20, 6, tzinfo=UTC)
START, END = date(2026, 9, 1), date(2026, 9, 22)
MODELS = [
    "azure_openai_meters",
    "stg_azure_focus__cost_rows",
    "stg_gcp_billing_export__vertex_cost_rows",
    "int_azure_openai_usage_normalized",
    "int_azure_openai_costs_normalized",
    "int_google_vertex_usage_normalized",
    "int_google_vertex_costs_normalized",
]
MEASURES = (
    "request_count",
    "input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
)
# Pinned Azure rows: a seeded 1K meter, and an unseeded 1M meter with no x_PricingBlockSize.
PINNED_HEADER = (
    "ChargePeriodStart,ChargePeriodEnd,ChargeCategory,BillingCurrency,BilledCost,EffectiveCost,"
    "ListCost,ConsumedQuantity,ConsumedUnit,PricingQuantity,PricingUnit,SkuMeter,x_SkuMeterCategory,"
    "x_SkuMeterSubcategory,x_PricingBlockSize,x_PricingUnitDescription,SubAccountId,ResourceId"
)
PINNED = [
    "2026-09-03T00:00:00Z,2026-09-04T00:00:00Z,Usage,USD,9.1364,9.1364,9.1364,4568.2,Units,4568.2,"
    "Units,gpt 4.1 Inp glbl Tokens,Cognitive Services,Azure OpenAI,1000,1K,sub-pin,/subscriptions/"
    "sub-pin/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/AOAI-PIN",
    "2026-09-03T00:00:00Z,2026-09-04T00:00:00Z,Usage,USD,1.65,1.65,1.65,2.5,Units,2.5,Units,"
    "Gpt-4o-mini-1118-Outpt-DZone Tokens,Foundry Models,Azure OpenAI,,1M,sub-pin,/subscriptions/"
    "sub-pin/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/AOAI-PIN",
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("cloud_billing")
    enterprise = Enterprise()
    activity = Activity(enterprise)
    providers = {
        "azure_openai": azure_openai.build(enterprise, activity, lambda: AS_OF, {}),
        "google_vertex": google_vertex.build(enterprise, activity, lambda: AS_OF, {}),
    }
    env: dict[str, str] = {}
    for provider in providers.values():
        env.update(provider.write_exports(base / "exports", START, END, AS_OF))
    pinned = base / "pinned" / "focus" / "20260901-20260930" / "run-1" / "part_0_0001.csv.gz"
    pinned.parent.mkdir(parents=True)
    pinned.write_bytes(gzip.compress("\n".join([PINNED_HEADER, *PINNED]).encode()))

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIUW_DATA_DIR", str(base / "data"))
        patch.setenv("AIUW_LANDING_DIR", str(base / "data" / "landing"))
        paths = Paths.from_env()
        window = RefreshWindow(START, END)
        for source_id, path in (
            ("azure_focus_test", env["AZURE_FOCUS_PATH"]),
            ("azure_focus_pinned", str(base / "pinned")),
        ):
            source = SourceConfig(id=source_id, type="azure_focus", path=path)
            (entity,) = azure_assets.ENTITIES
            land_entity("azure_focus", entity, source, window, paths, azure_assets.open_client)
        source = SourceConfig(
            id="gcp_billing_test", type="gcp_billing_export", path=env["GCP_BILLING_EXPORT_PATH"]
        )
        (entity,) = gcp_assets.ENTITIES
        landed = land_entity(
            "gcp_billing_export", entity, source, window, paths, gcp_assets.open_client
        )
    database = base / "warehouse.duckdb"
    dbt_build(base, database, base / "data" / "landing", MODELS)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con, providers, landed


def published(con, provider: str, source_id: str) -> dict:
    sums = ", ".join(f"coalesce(sum({m}), 0)" for m in MEASURES)
    usage = con.execute(
        f"select {sums} from intermediate.int_{provider}_usage_normalized where source_id = ?",
        [source_id],
    ).fetchone()
    (cost,) = con.execute(
        f"select sum(billed_cost) from intermediate.int_{provider}_costs_normalized where source_id = ?",
        [source_id],
    ).fetchone()
    return {"usage": dict(zip(MEASURES, map(int, usage), strict=True)), "cost": cost}


@pytest.mark.parametrize(
    ("provider", "source_id"),
    [("azure_openai", "azure_focus_test"), ("google_vertex", "gcp_billing_test")],
)
def test_normalized_totals_equal_the_ground_truth(warehouse, provider, source_id):
    con, providers, _ = warehouse
    truth = providers[provider].ground_truth(START, END, AS_OF)
    got = published(con, provider, source_id)
    assert got["usage"] == truth["usage"]
    assert got["usage"]["input_tokens"] > got["usage"]["cache_read_input_tokens"] > 0
    assert got["cost"].quantize(Decimal("0.01")) == Decimal(truth["invoiced_cost_usd"]).quantize(
        Decimal("0.01")
    )
    assert got["cost"] == Decimal(truth["invoiced_cost_usd"])


def test_pricing_blocks_and_meter_patterns(warehouse):
    con, _, _ = warehouse
    rows = con.execute(
        """
        select model_name, model_ref, service_tier, input_tokens, output_tokens, api_key_id, project_id
        from intermediate.int_azure_openai_usage_normalized
        where source_id = 'azure_focus_pinned' order by model_name
        """
    ).fetchall()
    account = "/subscriptions/sub-pin/resourcegroups/rg/providers/microsoft.cognitiveservices/accounts/aoai-pin"
    assert rows == [
        # unseeded: model, direction and deployment from patterns; 2.5 blocks of "1M" = 2,500,000
        (
            "Gpt-4o-mini-1118-Outpt-DZone Tokens",
            "gpt-4o-mini",
            "data_zone",
            0,
            2_500_000,
            account,
            "sub-pin",
        ),
        # seeded: 4568.2 blocks of 1000 = 4,568,200 tokens
        ("gpt 4.1 Inp glbl Tokens", "gpt-4.1", "global", 4_568_200, 0, account, "sub-pin"),
    ]
    costs = con.execute(
        """
        select token_type, consumed_quantity, consumed_unit, billed_cost
        from intermediate.int_azure_openai_costs_normalized
        where source_id = 'azure_focus_pinned' order by token_type
        """
    ).fetchall()
    assert costs == [
        ("input", Decimal("4568200"), "tokens", Decimal("9.1364")),
        ("output", Decimal("2500000"), "tokens", Decimal("1.65")),
    ]


def test_sandbox_meters_and_skus_map_to_models(warehouse):
    con, _, _ = warehouse
    azure = dict(
        con.execute(
            "select distinct model_name, model_ref || '/' || service_tier from intermediate.int_azure_openai_usage_normalized"
        ).fetchall()
    )
    assert azure["Az-GPT4o-Outp-DZone"] == "gpt-4o/data_zone"
    assert azure["gpt-4o-0806-Inp-regnl Tokens"] == "gpt-4o/regional"  # by pattern
    assert azure["GPT-4.1-mini Output Tokens Global"] == "gpt-4.1-mini/global"
    assert azure["text-embedding-3-large Inp glbl Tokens"] == "text-embedding-3-large/global"
    vertex = {
        name: (ref, operation, tokens, reasoning, unit)
        for name, ref, operation, tokens, reasoning, unit in con.execute(
            """
            select model_name, model_ref, operation, sum(input_tokens + output_tokens),
                sum(reasoning_output_tokens), max(unit)
            from intermediate.int_google_vertex_usage_normalized group by all
            """
        ).fetchall()
    }
    thinking = vertex["Gemini 2.5 Pro Thinking Output Tokens"]
    assert thinking[:2] == ("gemini-2.5-pro", "chat") and thinking[2] == thinking[3] > 0
    storage = vertex["Gemini 2.5 Flash GA Text Input Caching Storage"]
    assert storage[1:3] == ("context_cache_storage", 0) and storage[4] == "gibibyte hour"
    assert vertex["Text Embedding 005 Text Input - Predictions"][:2] == (
        "text-embedding-005",
        "embeddings",
    )
    credit_total, usage = con.execute(
        """
        select sum(case when charge_category = 'Credit' then billed_cost end),
            sum(case when charge_category = 'Usage' then billed_cost end)
        from intermediate.int_google_vertex_costs_normalized
        """
    ).fetchone()
    assert credit_total < 0 < usage


def test_landing_covers_whole_months_and_late_vertex_days(warehouse):
    _, _, vertex_landed = warehouse
    assert vertex_landed[0].day == date(2026, 8, 27)
    assert whole_months(RefreshWindow(date(2026, 9, 29), date(2026, 10, 2)))[::30] == [
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 10, 31),
    ]
