"""The text the sandbox plants holds exactly the entities its ground truth says, as the warehouse's
classifier reads it, and every planted finding has evidence on every day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from connectors.sensitive_data import ContentClassifier
from sandbox import prompt_content
from sandbox.providers import aws_bedrock, litellm, otel
from sandbox.server import SandboxState

ENTRIES = [(pool, n) for pool, entries in prompt_content.POOLS.items() for n in range(len(entries))]


@pytest.mark.parametrize(("pool", "n"), ENTRIES)
def test_each_entry_holds_the_entities_it_declares(pool, n):
    entry = prompt_content.POOLS[pool][n]
    classifier = ContentClassifier()
    # as the sources carry it: bodies with the Bedrock marker, span parts with the span marker
    for prefix in ("", f"{aws_bedrock.BODY_MARKER} ", f"{otel.CONTENT_MARKER} "):
        found = classifier.counts_json(
            [{"role": "user", "content": prefix + entry.prompt}], prefix + entry.completion
        )
        assert json.loads(found) == entry.entities, (pool, n, prefix)
    assert all(value in entry.prompt for value in entry.values)
    assert bool(entry.values) == bool(entry.entities)
    assert prompt_content.PLANTED_PHRASE in entry.completion


def test_the_markers_alone_hold_nothing():
    classifier = ContentClassifier()
    for marker in (aws_bedrock.BODY_MARKER, otel.CONTENT_MARKER):
        assert classifier.counts_json(marker) == "{}"


def test_pools_belong_to_applications_that_send_through_the_source():
    routes = {(r.application_id, r.provider) for r in litellm.ROUTES}
    assert set(prompt_content.LITELLM_POOLS) <= routes
    logging = {a.application_id for a in aws_bedrock.ACCOUNTS if a.logging}
    assert set(prompt_content.BEDROCK_POOLS) <= logging
    assert set(prompt_content.SPAN_POOLS) <= {c.application_id for c in otel.CALLS}
    used = {
        *prompt_content.LITELLM_POOLS.values(),
        *prompt_content.BEDROCK_POOLS.values(),
        *prompt_content.SPAN_POOLS.values(),
    }
    assert used == set(prompt_content.POOLS)


def test_the_undeclared_categories_are_sent_every_day():
    """The first request of each day takes a pool's first entry: the planted findings are daily."""
    for pool in ("analytics_sql", "analytics_payments", "contracts"):
        assert prompt_content.POOLS[pool][0].entities
    state = SandboxState(as_of=datetime(2026, 9, 22, 6, tzinfo=UTC))
    truth = state.observed_sensitive_data(date(2026, 9, 1), date(2026, 9, 21))
    for application, entity in (
        ("app-analytics-sql-helper", "EMAIL_ADDRESS"),
        ("app-analytics-sql-helper", "CREDIT_CARD"),
        ("app-contract-reviewer", "IBAN_CODE"),
    ):
        days = {day for (app, _, day, kind) in truth if (app, kind) == (application, entity)}
        assert len(days) == 20, (application, entity)
