"""Figures as people read them: distinct axis ticks, no negative zero, colour only for a change that
shows."""

from __future__ import annotations

import re
from decimal import Decimal

from reports import charts
from reports.html import pct, signed_money


def test_axis_ticks_are_distinct_and_never_negative_zero():
    label = charts._money_axis("USD")
    ticks = [-1500.0, -0.0, 500.0, 1000.0, 1500.0, 2000.0, 2500.0, 12500.0, 1_250_000.0]
    labels = [label(t, i) for i, t in enumerate(ticks)]
    assert labels == ["-1.5k", "0", "500", "1k", "1.5k", "2k", "2.5k", "12.5k", "1.25M"]
    assert len(set(labels)) == len(labels)


def test_a_change_that_shows_as_zero_has_no_sign():
    assert signed_money(Decimal("-0.004"), "USD") == "0.00 USD"
    assert signed_money(Decimal("12.3"), "USD") == "+12.30 USD"
    assert signed_money(Decimal("-5"), "EUR") == "-5.00 EUR"
    assert pct(Decimal("-0.04")) == "0.0%" and pct(Decimal("-3.26")) == "-3.3%"
    assert charts.signed_amount(-0.001) == "0.00" and charts.signed_amount(-12.5) == "-12.50"


def test_only_a_real_change_is_coloured():
    svg = charts.horizontal_bars(
        ["grew", "flat", "shrank"],
        [Decimal("120.00"), Decimal("0.001"), Decimal("-80.00")],
        "USD",
        diverging=True,
    )
    fills = re.findall(r"fill: (#[0-9a-f]{6})", svg)
    assert charts.UP in fills and charts.DOWN in fills and charts.MUTED in fills
    assert "-0.00" not in svg and "+0.00" not in svg


def test_long_ids_shorten_to_what_tells_them_apart():
    from reports.names import short_id

    assert short_id("apikey_0113eSSDreV9DZFxzB3TYkEH") == "apikey_0113eSSD…"
    assert short_id("apikey_01ixwR2R1xUfW6Mj2hxMqadw") == "apikey_01ixwR2R…"
    assert (
        short_id("1a4d76e9bdb030e768bdeb76baa30b6a585ea06b6d486d118c3dcf3d471bdf3f") == "1a4d76e9…"
    )
    azure = "/subscriptions/b487f484/resourcegroups/rg-hackathon/providers/x/accounts/aoai-hack-playground"
    assert short_id(azure) == "aoai-hack-playground"
    assert short_id("key_5a0721dd16670ea0") == "key_5a0721dd16670ea0"


def test_tools_are_listed_apart_from_models():
    from reports.names import DisplayNames

    names = DisplayNames(tools={"file-search", "vector-store"})
    assert names.models("gpt-4o,file-search,o4-mini,vector-store") == (
        "gpt-4o, o4-mini; tools: file search, vector store"
    )
    assert names.models("vector-store") == "no model; tools: vector store"
    assert names.model("file-search") == "file search (tool)"
    assert names.gateway_application("litellm", "1a4d76e9bdb030e768bdeb76baa30b6a585ea06b") == (
        "undeclared LiteLLM key 1a4d76e9…"
    )


def test_a_finding_names_its_subject_by_kind():
    from reports.names import DisplayNames

    names = DisplayNames(applications={"app-invoices": "Invoice extractor"})
    assert names.subject("application", "app-invoices", None) == "Invoice extractor"
    assert (
        names.subject("seat", "github_copilot:ana.lopez@example-corp.com", None)
        == "GitHub Copilot seat of ana.lopez@example-corp.com"
    )
    assert names.subject("credential", "openai:key_5a07c3d1e2f9", "app-invoices").startswith(
        "OpenAI credential key_5a07"
    )
