"""The report assets write the month they are asked for, and the monthly schedule asks for the month
that just closed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import dagster as dg
import duckdb
import openpyxl
import pytest

from orchestration.automation_names import REPORTS_JOB
from orchestration.defs.reports.assets import reports_defs
from tests.report_fixtures import build_published


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return reports_defs()


@pytest.mark.parametrize(
    ("tick", "month"),
    [
        (datetime(2026, 11, 1, 6, tzinfo=UTC), "2026-10-01"),
        (datetime(2027, 1, 1, 6, tzinfo=UTC), "2026-12-01"),
    ],
)
def test_schedule_targets_the_previous_month(definitions, tick, month):
    schedule = definitions.resolve_schedule_def(f"{REPORTS_JOB}_schedule")
    assert schedule.cron_schedule == "0 6 1 * *"
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        result = schedule.evaluate_tick(context)
    assert [r.partition_key for r in result.run_requests] == [month]


def test_report_assets_materialize_a_month(definitions, tmp_path, monkeypatch):
    release = tmp_path / "published" / "releases" / "r1"
    release.mkdir(parents=True)
    database = build_published(release / "warehouse.duckdb")
    (tmp_path / "published" / "current").symlink_to(release)
    monkeypatch.setenv("AIUW_PUBLISHED_DIR", str(tmp_path / "published"))
    monkeypatch.setenv("AIUW_REPORTS_DIR", str(tmp_path / "reports"))
    job = definitions.resolve_job_def(REPORTS_JOB)
    result = job.execute_in_process(
        partition_key="2026-10-01", instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success
    folder = tmp_path / "reports" / "2026-10"
    assert sorted(p.name for p in folder.iterdir()) == [
        "chargeback_2026-10.csv",
        "chargeback_2026-10.html",
        "chargeback_2026-10.xlsx",
        "executive_summary_2026-10.html",
    ]
    with duckdb.connect(str(database), read_only=True) as con:
        (expected, lines) = con.execute(
            "select sum(reporting_cost), count(*) from rpt_chargeback_monthly "
            "where billing_month = date '2026-10-01'"
        ).fetchone()
    materialization = result.asset_materializations_for_node("reports__chargeback")[0]
    assert materialization.metadata["total"].value == f"{expected:,.2f} USD"
    assert "| CC-110 |" in materialization.metadata["preview"].value
    assert materialization.metadata["dagster/row_count"].value == lines
    summary = openpyxl.load_workbook(folder / "chargeback_2026-10.xlsx", data_only=True)["Summary"]
    total = next(r for r in summary.iter_rows(values_only=True) if r[0] == "Total")
    assert Decimal(str(total[6])).quantize(Decimal("0.01")) == expected.quantize(Decimal("0.01"))
