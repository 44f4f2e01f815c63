"""The report command line and the reports written at the end of a run."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.cli.report import main, materialize_reports
from orchestration.definitions import defs
from tests.report_fixtures import build_published


@pytest.fixture
def published(tmp_path, monkeypatch):
    release = tmp_path / "published" / "releases" / "r1"
    release.mkdir(parents=True)
    build_published(release / "warehouse.duckdb")
    (tmp_path / "published" / "current").symlink_to(release)
    monkeypatch.setenv("AIUW_PUBLISHED_DIR", str(tmp_path / "published"))
    monkeypatch.setenv("AIUW_REPORTS_DIR", str(tmp_path / "reports"))
    return tmp_path / "published"


def test_after_a_run_the_latest_closed_month_is_materialized_in_dagster(
    published, tmp_path, capsys
):
    with dg.DagsterInstance.ephemeral() as instance:
        assert materialize_reports(defs(), instance, published)
        (run,) = instance.get_runs()
        assert run.job_name == "reports_monthly" and run.tags["dagster/partition"] == "2026-10-01"
        for key in (["reports", "chargeback"], ["reports", "executive_summary"]):
            materialized = instance.get_latest_materialization_event(dg.AssetKey(key))
            assert materialized.run_id == run.run_id
            assert materialized.asset_materialization.partition == "2026-10-01"
    out = capsys.readouterr().out
    folder = tmp_path / "reports" / "2026-10"
    assert "\nreports for 2026-10 (chargeback " in out
    for name in (
        "chargeback_2026-10.xlsx",
        "chargeback_2026-10.csv",
        "chargeback_2026-10.html",
        "executive_summary_2026-10.html",
    ):
        assert (folder / name).exists()
        assert str(folder / name) in out


def test_cli_writes_the_month_asked_to_the_folder_asked(published, tmp_path, capsys):
    assert main(["chargeback", "--month", "2026-09", "--out", str(tmp_path / "elsewhere")]) == 0
    assert (tmp_path / "elsewhere" / "2026-09" / "chargeback_2026-09.xlsx").exists()
    assert main(["executive-summary", "--out", str(tmp_path / "elsewhere")]) == 0
    assert (tmp_path / "elsewhere" / "2026-10" / "executive_summary_2026-10.html").exists()
    capsys.readouterr()


def test_cli_errors_say_what_to_do(published, tmp_path, capsys):
    assert main(["chargeback", "--month", "October"]) == 2
    assert "write it as YYYY-MM" in capsys.readouterr().err
    assert main(["chargeback", "--database", str(tmp_path / "none.duckdb")]) == 2
    assert "publish one first (`make run` on the sandbox" in capsys.readouterr().err
    with dg.DagsterInstance.ephemeral() as instance:
        assert not materialize_reports(defs(), instance, tmp_path / "nothing-published")
        assert not instance.get_runs()
    assert "reports not written" in capsys.readouterr().err
