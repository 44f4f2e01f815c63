"""The sandbox bills the catalog's list prices of the usage day (genai-prices, as the warehouse
rates), or a rate governance/price_overrides.yml declares; only the planted variances depart.
So the cost reconciliation on the sandbox flags exactly those."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from genai_prices import data as bundled

from governance.load import load_governance
from prices.catalog import build_catalog, price_on
from sandbox import cost_plants
from sandbox.enterprise import MODELS as OPENAI_MODELS
from sandbox.providers.anthropic import MODELS as ANTHROPIC_MODELS
from sandbox.providers.aws_bedrock import MODELS as BEDROCK_MODELS
from sandbox.providers.azure_openai import METERS as AZURE_METERS
from sandbox.providers.google_vertex import SKUS as VERTEX_SKUS

DAY = date(2026, 9, 1)
MTOK = Decimal(1_000_000)


@pytest.fixture(scope="module")
def prices():
    return build_catalog().prices


def catalog_price(prices, provider: str, model: str, component: str, day: date = DAY):
    price = price_on(prices, provider, model, component, day)
    assert price is not None, f"the catalog has no {component} price for {provider}/{model}"
    return price


def test_openai_bills_catalog_list_prices(prices):
    for model in OPENAI_MODELS.values():
        billed = {"input": model.input_per_mtok, "output": model.output_per_mtok}
        if model.operation == "completions":
            billed["cache_read"] = model.cached_input_per_mtok
        for component, price in billed.items():
            if price or model.operation == "completions":
                assert price == catalog_price(prices, "openai", model.family, component), (
                    model.family,
                    component,
                )


def test_anthropic_bills_catalog_list_prices(prices):
    parts = {
        "input": "input",
        "output": "output",
        "cache_read": "cache_read",
        "cache_5m": "cache_write",
        "cache_1h": "cache_write_1h",
    }
    for snapshot, price in ANTHROPIC_MODELS.items():
        model = snapshot.rsplit("-", 1)[0]  # claude-sonnet-4-5-20250929 -> claude-sonnet-4-5
        for attribute, component in parts.items():
            expected = catalog_price(prices, "anthropic", model, component)
            assert getattr(price, attribute) == expected, (model, component)


def test_bedrock_bills_the_catalog_price_its_model_ids_match(prices):
    """Bedrock ids resolve as genai-prices matches them: in-region Claude ids are regional."""
    (aws,) = [p for p in bundled.providers if p.id == "aws"]
    for model_id, model in BEDROCK_MODELS.items():
        found = aws.find_model(model_id)
        assert found is not None, model_id
        for component, price in model.prices.items():
            if component == "output" and price == 0:
                continue
            assert price == catalog_price(prices, "aws_bedrock", found.id, component), (
                found.id,
                component,
            )


def test_azure_meters_bill_catalog_list_prices(prices):
    for (model, _deployment), meters in AZURE_METERS.items():
        for kind, meter in meters.items():
            component = {"cached": "cache_read"}.get(kind, kind)
            per_mtok = meter.price_per_block * MTOK / meter.block
            expected = price_on(prices, "azure_openai", model, component, DAY) or catalog_price(
                prices, "openai", model, component
            )
            assert per_mtok == expected, (model, meter.name)


def test_vertex_token_skus_bill_catalog_or_declared_prices_until_the_planted_change(prices):
    declared = {
        (o.model, component): Decimal(price)
        for o in load_governance().price_overrides.overrides
        if o.provider == "google_vertex" and o.prices
        for component, price in o.prices.model_dump().items()
        if price is not None
    }
    components = {
        "input": "input",
        "cached": "cache_read",
        "output": "output",
        "thinking": "output",
    }
    for model, skus in VERTEX_SKUS.items():
        for kind, sku in skus.items():
            if kind == "storage":
                continue  # not tokens: the catalog has no price, the reconciliation leaves it out
            component = components[kind]
            expected = declared.get((model, component)) or catalog_price(
                prices, "google_vertex", model, component
            )
            assert sku.price == expected, (model, kind)
            after = cost_plants.PRICE_CHANGE_FROM
            assert sku.price * cost_plants.vertex_price_factor(model, after) == (
                expected * cost_plants.PRICE_CHANGE_FACTOR
                if model == cost_plants.PRICE_CHANGE_MODEL
                else expected
            )
