"""The price catalog flattened from genai-prices' bundled data: exact decimals, effective dating,
tiers and context bands agree with the package's own resolution, and nothing is downloaded."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from genai_prices import data as bundled

from prices.catalog import COMPONENTS, build_catalog, price_on
from prices.landing import canonical_model_ids, land_catalog


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(known_refs=canonical_model_ids())


def test_prices_are_exact_decimal_strings(catalog):
    rows = catalog.prices.to_pylist()
    assert rows
    assert all(Decimal(r["price_per_mtok"]) >= 0 for r in rows)
    gpt_4o_mini = price_on(catalog.prices, "openai", "gpt-4o-mini", "input", date(2026, 9, 1))
    assert str(gpt_4o_mini) == "0.15"
    cached = price_on(catalog.prices, "openai", "gpt-4o-mini", "cache_read", date(2026, 9, 1))
    assert str(cached) == "0.075"


def test_a_price_change_keeps_the_old_price_before_its_date(catalog):
    # o3's list price fell from $10 / $40 to $2 / $8 per million tokens on 2025-06-10.
    def o3(component, day):
        return price_on(catalog.prices, "openai", "o3", component, day)

    assert o3("input", date(2025, 6, 9)) == Decimal("10")
    assert o3("output", date(2025, 6, 9)) == Decimal("40")
    assert o3("input", date(2025, 6, 10)) == Decimal("2")
    assert o3("output", date(2026, 9, 1)) == Decimal("8")
    rows = [
        (r["effective_from"], r["effective_to"], r["price_per_mtok"])
        for r in catalog.prices.to_pylist()
        if (r["model_id"], r["price_tier"], r["component"]) == ("o3", "standard", "input")
    ]
    assert rows == [(None, date(2025, 6, 10), "10"), (date(2025, 6, 10), None, "2")]


def test_context_bands_and_tiers(catalog):
    day = date(2026, 9, 1)
    short = price_on(
        catalog.prices, "google_vertex", "gemini-2.5-pro", "input", day, input_tokens=200_000
    )
    long = price_on(
        catalog.prices, "google_vertex", "gemini-2.5-pro", "input", day, input_tokens=200_001
    )
    assert (short, long) == (Decimal("1.25"), Decimal("2.5"))
    # Flex prices exist only from the date the package starts modelling them.
    flex = {"tier": "flex"}
    assert price_on(catalog.prices, "openai", "gpt-5", "input", date(2026, 10, 11), **flex) is None
    assert price_on(
        catalog.prices, "openai", "gpt-5", "input", date(2026, 10, 12), **flex
    ) == Decimal("0.625")


def test_time_of_day_prices_keep_the_price_outside_their_windows(catalog):
    # deepseek-chat: $0.135 off-peak, $0.27 from 00:30 to 16:30 UTC.
    rows = [
        (r["price_per_mtok"], r["has_time_of_day_prices"])
        for r in catalog.prices.to_pylist()
        if (r["provider"], r["model_id"], r["component"]) == ("deepseek", "deepseek-chat", "input")
    ]
    assert rows == [("0.135", True)]
    assert not any(
        r["has_time_of_day_prices"] for r in catalog.prices.to_pylist() if r["provider"] == "openai"
    )


def test_every_row_agrees_with_the_package(catalog):
    models = {(p.id, m.id): m for p in bundled.providers for m in p.models}
    contexts = {
        "standard": None,
        "batch": {"processing": "batch"},
        "flex": {"service_tier": "flex"},
        "priority": {"service_tier": "priority"},
    }
    checked = 0
    for row in catalog.prices.to_pylist():
        model = models[(row["source_provider_id"], row["model_id"])]
        start = row["effective_from"] or date(1970, 1, 1)
        at = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
        value = getattr(
            model.get_prices(at, contexts[row["price_tier"]]), COMPONENTS[row["component"]]
        )
        if row["band_threshold_tokens"] == 0 and not hasattr(value, "tiers"):
            assert Decimal(row["price_per_mtok"]) == value, row
            checked += 1
    assert checked > 1000


def test_aliases_resolve_canonical_ids(catalog):
    aliases = {(r["provider"], r["model_ref"]): r["model_id"] for r in catalog.aliases.to_pylist()}
    assert aliases[("openai", "gpt-4o-2024-08-06")] == "gpt-4o"
    assert aliases[("anthropic", "claude-sonnet-4-5")].startswith("claude-sonnet-4")
    assert aliases[("google_vertex", "gemini-2.5-pro")] == "gemini-2.5-pro"
    # Bedrock ids carry the vendor prefix that canonical ids drop.
    assert aliases[("aws_bedrock", "nova-pro")] == "amazon.nova-pro-v1:0"
    assert aliases[("aws_bedrock", "llama3-70b-instruct")] == "meta.llama3-70b-instruct-v1:0"


def test_landing_is_offline_and_atomic(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the price catalog must not open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    written = land_catalog(tmp_path / "prices")
    assert sorted(p.name for p in (tmp_path / "prices").iterdir()) == [
        "catalog.parquet",
        "model_aliases.parquet",
    ]
    table = pq.read_table(written["catalog"])
    assert table.num_rows > 1000
    assert table.schema.field("price_per_mtok").type == "string"


def test_pattern_rules_follow_genai_prices_matching(catalog):
    """A reference no exact alias names resolves, in SQL, to the first model (in the package's
    order) whose prefix, suffix or substring rule it meets: the model genai-prices finds."""
    (aws,) = [p for p in bundled.providers if p.id == "aws"]
    rules = [r for r in catalog.aliases.to_pylist() if r["provider"] == "aws_bedrock"]
    tests = {
        "starts_with": str.startswith,
        "ends_with": str.endswith,
        "contains": lambda ref, pattern: pattern in ref,
    }
    for ref in (
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
        "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "meta.llama3-3-70b-instruct-v1:0",
    ):
        matching = [
            r
            for r in rules
            if r["match_kind"] in tests and tests[r["match_kind"]](ref, r["model_ref"])
        ]
        first = min(matching, key=lambda r: r["match_order"])
        assert first["model_id"] == aws.find_model(ref).id, ref
    assert aws.find_model("anthropic.claude-sonnet-4-5-20250929-v1:0").id.startswith("regional.")
