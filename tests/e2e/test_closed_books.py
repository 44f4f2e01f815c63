"""A closed month over real HTTP: an enterprise with OpenAI, Anthropic, a LiteLLM gateway and Cursor
seats closes September,
OpenAI restates a September day weeks later, and the next daily run charges the difference in
October while September's published lines stay exactly as first published. Then September's books
are edited behind the warehouse's back: the blocking check refuses the release, and the last good
release stays current until the books are restored.

This module runs its own small deployment (four API sources, 2026-09-24..10-02), so it crosses a
month end without changing the shared one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import duckdb
import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.lib.sources import sources_config
from sandbox.server import SandboxServer, SandboxState
from tests.e2e.deployment import Deployment, sources_subset
from warehouse.books import book_path

pytestmark = pytest.mark.e2e

START, BACKFILL_END, NEXT_DAY = date(2026, 9, 24), date(2026, 10, 1), date(2026, 10, 2)
SEPTEMBER = date(2026, 9, 1)
RESTATED_DAY, RESTATEMENT = date(2026, 9, 26), Decimal("50.00")
# late enough that every day of the range is final: only the planted restatement changes September
CLOCK = datetime(2026, 10, 10, 6, tzinfo=UTC)


SOURCE_TYPES = ("openai", "anthropic", "litellm", "cursor")


@pytest.fixture(scope="module")
def books_deployment(tmp_path_factory):
    base = tmp_path_factory.mktemp("closed_books")
    data = base / "data"
    with pytest.MonkeyPatch.context() as patch, SandboxServer(SandboxState()) as server:
        patch.setenv("AIUW_DATA_DIR", str(data))
        patch.setenv("DBT_LOG_PATH", str(data / "dbt_logs"))
        patch.setenv("AIUW_SOURCES", str(sources_subset(base / "sources.yml", SOURCE_TYPES, START)))
        for name, value in server.environment().items():
            patch.setenv(name, value)
        sources_config.cache_clear()
        try:
            httpx.post(
                f"{server.url}/_sandbox/clock", json={"as_of": CLOCK.isoformat()}
            ).raise_for_status()
            deployment = Deployment(data, server, patch)
            deployment.first_result = deployment.run(partition_range=(START, BACKFILL_END))
            yield deployment
        finally:
            sources_config.cache_clear()  # the next module reads the shared test config again


def published(deployment: Deployment, sql: str) -> list[tuple]:
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def september_lines(deployment: Deployment) -> list[tuple]:
    return sorted(
        published(
            deployment,
            "select * from main.rpt_chargeback_monthly "
            f"where billing_month = date '{SEPTEMBER}' and restated_month is null",
        ),
        key=repr,
    )


def check_results(result) -> dict[str, bool]:
    return {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def test_the_backfill_closes_september(books_deployment):
    ingest, transform = books_deployment.first_result
    assert ingest.success and transform.success
    months = published(
        books_deployment,
        "select billing_month, bool_and(is_closed_month), count(*) "
        "from main.rpt_chargeback_monthly group by 1 order by 1",
    )
    assert [(m, closed) for m, closed, _ in months] == [
        (SEPTEMBER, True),
        (date(2026, 10, 1), False),
    ]
    assert months[0][2] > 0
    # nothing is booked before a release shows the month closed
    assert not book_path(books_deployment.data / "books", SEPTEMBER).exists()


def test_a_restated_closed_day_is_charged_in_the_open_month(books_deployment):
    deployment = books_deployment
    before = september_lines(deployment)
    httpx.post(
        f"{deployment.sandbox.url}/_sandbox/restate",
        json={"provider": "openai", "date": RESTATED_DAY.isoformat(), "amount_usd": "50.00"},
    ).raise_for_status()

    ingest, transform = deployment.run(partition=NEXT_DAY)  # its window is 09-30 .. 10-02

    assert ingest.success and transform.success
    assert check_results(transform)["closed_months_unchanged"] is True
    logged = "\n".join(e.user_message for e in deployment.instance.all_logs(ingest.run_id))
    assert "billed totals changed since landing" in logged and RESTATED_DAY.isoformat() in logged
    # September was booked from the first release and its lines did not move
    assert book_path(deployment.data / "books", SEPTEMBER).exists()
    assert september_lines(deployment) == before
    changes = published(
        deployment,
        "select provider, restated_month, posted_month, restatement_reason, "
        "sum(billed_cost_change), count(*) from main.rpt_chargeback_restatements "
        "group by all order by all",
    )
    assert [c[:4] for c in changes] == [
        ("openai", SEPTEMBER, date(2026, 10, 1), "provider_restatement")
    ]
    assert changes[0][4] == RESTATEMENT
    adjustments = published(
        deployment,
        "select billing_month, charged_month, sum(billed_cost) from main.rpt_chargeback_monthly "
        f"where restated_month = date '{SEPTEMBER}' group by all",
    )
    # posted in October, charging September
    assert adjustments == [(date(2026, 10, 1), SEPTEMBER, RESTATEMENT)]


def test_edited_books_are_refused_and_the_release_is_kept(books_deployment):
    deployment = books_deployment
    books = book_path(deployment.data / "books", SEPTEMBER)
    original = books.read_bytes()
    release = deployment.published_db.resolve()
    table = pq.read_table(books)
    column = table.schema.get_field_index("billed_cost")
    values = table.column(column).to_pylist()
    line = next(i for i, value in enumerate(values) if value is not None)
    values[line] += Decimal("0.01")  # one line a cent higher than September was charged
    edited = pa.array(values, type=table.schema.field(column).type)
    pq.write_table(table.set_column(column, "billed_cost", edited), books)
    try:
        refused = deployment.run_job(deployment.transform, None, partition_range=(START, NEXT_DAY))
    finally:
        books.write_bytes(original)

    assert not refused.success
    assert check_results(refused)["closed_months_unchanged"] is False
    assert deployment.published_db.resolve() == release
    logged = "\n".join(e.user_message for e in deployment.instance.all_logs(refused.run_id))
    assert "closed month 2026-09 changed without a recorded restatement" in logged

    restored = deployment.run_job(deployment.transform, None, partition_range=(START, NEXT_DAY))
    assert restored.success
    assert deployment.published_db.resolve() != release
