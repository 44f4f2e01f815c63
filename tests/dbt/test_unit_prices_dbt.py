"""Non-token usage rated at the unit list prices of governance/price_overrides.yml (unit_prices),
through dbt: one usage row per unit (images, characters, seconds, bytes held, sessions, calls,
searches, GiB-hours) with its price computed by hand, a unit the list does not price and a day
before a price starts staying no_price_known with their reason, and the reconciliation counting
the rated non-token charges as rated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from governance.load import GOVERNANCE_DIR
from prices.landing import land_catalog
from tests.dbt.test_rated_cost_dbt import REQUEST_COLUMNS, USAGE_COLUMNS, land_governance
from tests.dbt_build import dbt_build

DAY, BEFORE_IMAGES = date(2026, 3, 2), date(2025, 4, 1)
SELECT = [
    "model_catalog",
    "int_usage_records_normalized",
    "stg_prices__catalog",
    "stg_prices__model_aliases",
    "stg_governance__price_overrides",
    "stg_governance__unit_prices",
    "stg_governance__cost_tolerances",
    "stg_governance__self_hosted_resources",
    "stg_governance__price_override_snapshots",
    "int_gateway_requests_by_size",
    "int_usage_rated",
    "rpt_cost_reconciliation",
]
# (provider, day, model_ref, operation, project, unit_count, unit, expected rated cost by hand)
USAGE = [
    # $0.04 per image (gpt-image-1 and dall-e-3, 1024x1024 standard)
    ("openai", DAY, "gpt-image-1", "image_generation", "proj_u", "3", "images", "0.12"),
    ("openai", DAY, "dall-e-3", "image_generation", "proj_u", "2", "images", "0.08"),
    # $15 / $30 per million characters: 250,000 x 15 / 1e6, 100,000 x 30 / 1e6
    ("openai", DAY, "tts-1", "text_to_speech", "proj_u", "250000", "characters", "3.75"),
    ("openai", DAY, "tts-1-hd", "text_to_speech", "proj_u", "100000", "characters", "3.00"),
    # $0.006 per minute: 600 s = 10 min
    ("openai", DAY, "whisper-1", "speech_to_text", "proj_u", "600", "seconds", "0.06"),
    # $0.10 per GiB-day: 3 GiB held that day; 1e9 bytes = 0.0931322574615... rounded at 10 places
    (
        "openai",
        DAY,
        "vector-store",
        "vector_store_storage",
        "proj_u",
        "3221225472",
        "bytes",
        "0.30",
    ),
    (
        "openai",
        DAY,
        "vector-store",
        "vector_store_storage",
        "proj_v",
        "1000000000",
        "bytes",
        "0.0931322575",
    ),
    # $0.03 per session
    ("openai", DAY, "code-interpreter", "code_interpreter", "proj_u", "7", "sessions", "0.21"),
    # $2.50 per 1,000 file search calls
    ("openai", DAY, "file-search", "file_search", "proj_u", "1200", "calls", "3.00"),
    # $10 per 1,000 web search calls, the provider's price for calls without a model of its own
    ("openai", DAY, "gpt-4.1-mini-2025-04-14", "web_search", "proj_u", "150", "calls", "1.50"),
    # Anthropic web search: $10 per 1,000 searches
    (
        "anthropic",
        DAY,
        "claude-haiku-4-5-20251001",
        "web_search",
        "wrkspc_u",
        "40",
        "searches",
        "0.40",
    ),
    # Vertex context cache storage: $1.00 per GiB-hour
    (
        "google_vertex",
        DAY,
        "gemini-2.5-flash",
        "context_cache_storage",
        "gcp-u",
        "2.5",
        "gibibyte hour",
        "2.50",
    ),
    # no price: seconds of a model the list does not price; images before gpt-image-1's price starts
    ("openai", DAY, "sora-2", "video_generation", "proj_u", "30", "seconds", None),
    ("openai", BEFORE_IMAGES, "gpt-image-1", "image_generation", "proj_u", "5", "images", None),
]


def seed_upstream(database) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists intermediate")
        for provider in (
            "openai",
            "aws_bedrock",
            "azure_openai",
            "google_vertex",
            "litellm",
            "otel",
        ):
            con.execute(
                f"create table intermediate.int_{provider}_usage_normalized ({USAGE_COLUMNS})"
            )
        con.execute(
            f"""
            create table intermediate.int_anthropic_usage_normalized ({USAGE_COLUMNS},
                cache_creation_1h_input_tokens bigint, context_band_min_tokens bigint)
            """
        )
        for provider, day, model, operation, project, count, unit, _ in USAGE:
            extra = ", 0, null" if provider == "anthropic" else ""
            con.execute(
                f"""
                insert into intermediate.int_{provider}_usage_normalized values
                ('pinned', ?, ?, ?, ?, ?, ?, null, ?, null, false, 'default', 1, 0, 0, 0, 0, null,
                 cast(? as decimal(38, 6)), ?, false{extra})
                """,
                [provider, day, model, model, operation, project, project, count, unit],
            )
        for gateway in ("litellm", "otel"):
            con.execute(f"create table intermediate.int_{gateway}_requests ({REQUEST_COLUMNS})")
        con.execute(
            """
            create table intermediate.int_cost_records_normalized (
                usage_date date, provider varchar, project_id varchar, gateway varchar,
                cost_kind varchar, charge_category varchar, billed_cost decimal(38, 10),
                billing_currency varchar, token_type varchar, model_id varchar
            )
            """
        )
        # The bills of the day: non-token charges of rated usage, one of unpriced usage (sora-2),
        # and Anthropic's web search, billed without a model.
        con.execute(
            """
            insert into intermediate.int_cost_records_normalized values
            ('2026-03-02', 'openai', 'proj_u', '', 'invoiced', 'Usage', 0.12, 'USD', 'other', 'gpt-image-1'),
            ('2026-03-02', 'openai', 'proj_u', '', 'invoiced', 'Usage', 3.00, 'USD', 'other', 'file-search'),
            ('2026-03-02', 'openai', 'proj_u', '', 'invoiced', 'Usage', 1.00, 'USD', 'other', 'sora-2'),
            ('2026-03-02', 'anthropic', 'wrkspc_u', '', 'invoiced', 'Usage', 0.40, 'USD', 'other', null)
            """
        )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("unit_prices")
    landing, database = base / "landing", base / "warehouse.duckdb"
    land_catalog(landing / "prices")
    land_governance(landing, GOVERNANCE_DIR)
    seed_upstream(database)
    dbt_build(base, database, landing, SELECT)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con


def test_each_non_token_unit_pays_its_hand_computed_list_price(warehouse) -> None:
    rows = {
        (provider, day, model, project): (status, reason, unit_cost, cost, components)
        for provider, day, model, project, status, reason, unit_cost, cost, components in (
            warehouse.execute(
                """
                select provider, usage_date, model_ref, project_id, price_status, unrated_reason,
                    rated_unit_cost, rated_cost,
                    rated_input_cost + rated_cache_read_cost + rated_cache_write_cost
                        + rated_output_cost
                from intermediate.int_usage_rated
                """
            ).fetchall()
        )
    }
    assert len(rows) == len(USAGE)
    for provider, day, model, _, project, _, unit, expected in USAGE:
        status, reason, unit_cost, cost, components = rows[(provider, day, model, project)]
        if expected is None:
            assert (status, reason, unit_cost, cost) == (
                "no_price_known",
                "no_unit_price",
                None,
                None,
            )
        else:
            assert (status, reason) == ("priced", None), (model, unit)
            assert unit_cost == cost == Decimal(expected), (model, unit)
            assert components == 0


def test_the_most_specific_price_in_effect_is_used(warehouse) -> None:
    prices = dict(
        warehouse.execute(
            """
            select model_ref || '/' || unit, unit_price_id from intermediate.int_usage_rated
            where usage_date = ? and unit_price_id is not null
            """,
            [DAY],
        ).fetchall()
    )
    # a model's own price (file-search) before the provider's price for its unit (web search)
    assert prices["file-search/calls"] == "UNP-009"
    assert prices["gpt-4.1-mini-2025-04-14/calls"] == "UNP-010"
    assert prices["gpt-image-1/images"] == "UNP-001"


def test_reconciliation_counts_rated_non_token_charges(warehouse) -> None:
    unrated = dict(
        warehouse.execute(
            """
            select provider, sum(unrated_invoiced_cost) from marts.rpt_cost_reconciliation
            where usage_date = ? and line_type = 'account' group by provider
            """,
            [DAY],
        ).fetchall()
    )
    # only sora-2's charge is left out: its usage has no unit price
    assert unrated == {"openai": Decimal("1.00"), "anthropic": Decimal("0"), "google_vertex": 0}
