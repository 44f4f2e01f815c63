"""A daily run tests the days it rebuilt; the weekly whole-history validation tests every day.
On a copy of the shared deployment's warehouse: a bad rated usage row (no provider) inside the run's
window fails the daily (window-scoped) dbt tests; one outside it passes them, and so does a duplicate
published usage row outside it (the mart's uniqueness is its quality suite's rule on a daily run).
The whole-history validation job finds both, stores the failures with the quality results and raises
the data-quality alert.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from alerting.delivery import quality_alerts
from orchestration.automation_names import VALIDATION_JOB
from orchestration.lib.dbt import WHOLE_HISTORY_TAG, daily_build_excludes, suite_twin_tests
from quality.whole_history import DBT_TESTS
from tests.conftest import ROOT
from warehouse.paths import Paths

pytestmark = pytest.mark.e2e

WINDOW = {"min_date": "2026-09-15", "max_date": "2026-09-21"}
INSIDE, OUTSIDE = date(2026, 9, 18), date(2026, 9, 5)
UNIQUE_KEY = "unique_fct_ai_usage_daily_usage_key"
NOT_NULL = "not_null_columns_int_usage_rated_usage_date__provider__price_status"


@pytest.fixture
def copied(deployment, tmp_path, monkeypatch) -> Paths:
    """The deployment's warehouse copied under a data directory of this test's own."""
    data = tmp_path / "data"
    shutil.copytree(deployment.data / "warehouse", data / "warehouse")
    monkeypatch.setenv("AIUW_DATA_DIR", str(data))
    monkeypatch.setenv("AIUW_LANDING_DIR", str(deployment.data / "landing"))
    return Paths.from_env()


def duplicate_a_usage_row(paths: Paths, day: date) -> None:
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute(
            "insert into marts.fct_ai_usage_daily select * from marts.fct_ai_usage_daily "
            "where usage_date = ? limit 1",
            [day],
        )


def drop_a_rated_provider(paths: Paths, day: date) -> None:
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute(
            "update intermediate.int_usage_rated set provider = null where rowid = "
            "(select min(rowid) from intermediate.int_usage_rated where usage_date = ?)",
            [day],
        )


def daily_tests(paths: Paths, tmp_path: Path) -> tuple[int, str]:
    """The tests of the rated usage and the usage mart as the daily build runs them: the window's
    days, without the whole-history tests and the tests the marts' suites also check."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "test",
            "--project-dir",
            "dbt_project",
            "--profiles-dir",
            "dbt_project",
            "--target-path",
            str(tmp_path / "target"),
            "--select",
            "int_usage_rated",
            "fct_ai_usage_daily",
            "--exclude",
            *daily_build_excludes(),
            "--vars",
            json.dumps(WINDOW),
        ],
        env={**os.environ, **paths.dbt_environment()},
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.returncode, result.stdout


def test_a_bad_row_inside_the_window_fails_the_daily_tests(copied, tmp_path):
    drop_a_rated_provider(copied, INSIDE)
    code, output = daily_tests(copied, tmp_path)
    assert code == 1, output
    assert f"FAIL 1 {NOT_NULL}" in output
    assert UNIQUE_KEY not in output  # the usage mart's suite checks it on a daily run


def test_a_bad_row_outside_the_window_is_caught_by_the_whole_history_validation(
    deployment, copied, tmp_path
):
    drop_a_rated_provider(copied, OUTSIDE)
    duplicate_a_usage_row(copied, OUTSIDE)
    code, output = daily_tests(copied, tmp_path)
    assert code == 0, output  # the daily tests do not read 2026-09-05
    assert NOT_NULL in output

    from orchestration.definitions import defs

    job = defs().resolve_job_def(VALIDATION_JOB)
    result = job.execute_in_process(instance=deployment.instance, raise_on_error=False)
    assert not result.success
    stored = json.loads((copied.quality / "latest" / f"{DBT_TESTS}.json").read_text())
    assert not stored["success"]
    failed = {f["expectation"]: f for f in stored["failures"]}
    assert failed[UNIQUE_KEY]["table"] == "fct_ai_usage_daily"
    assert failed[UNIQUE_KEY]["unexpected_count"] == 1
    assert failed[NOT_NULL]["table"] == "int_usage_rated"
    assert failed[NOT_NULL]["unexpected_count"] == 1
    # every other test ran and passed: the history is otherwise sound
    manifest = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert len(failed) == 2 and stored["evaluated_expectations"] == len(tests)
    # the GX suite on the whole mart finds the same duplicate
    suite = json.loads(
        (copied.quality / "latest" / "fct_ai_usage_daily@whole_history.json").read_text()
    )
    assert not suite["success"]
    assert {f["expectation"] for f in suite["failures"]} == {"expect_column_values_to_be_unique"}
    alerts = quality_alerts(copied.quality, "high", "low")
    assert [a.condition_type for a in alerts] == ["data_quality_failed"]
    assert UNIQUE_KEY in alerts[0].evidence
    assert "whole-history validation" in alerts[0].summary


def test_the_first_backfill_is_a_full_refresh_and_runs_the_whole_history_tests(deployment):
    """It rebuilds from history_start, so the whole-history data tests run too; the tests whose
    rule a published mart's suite checks are left to the suite, as on every run."""
    _, transform = deployment.first_result
    logged = [e.user_message for e in deployment.instance.all_logs(transform.run_id)]
    twins = suite_twin_tests()
    assert any(
        "a rebuild from history_start: the whole-history dbt tests run too; "
        f"{len(twins)} tests that the marts' quality suites also check are left to them" in m
        for m in logged
    )
    manifest = json.loads((ROOT / "dbt_project" / "target" / "manifest.json").read_text())
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    whole_history = [n for n in tests if WHOLE_HISTORY_TAG in n["tags"]]
    assert whole_history and twins
    assert not {n["name"] for n in whole_history} & set(twins)
    assert f"dbt data tests: {len(tests) - len(twins)} nodes (" in "\n".join(logged)
