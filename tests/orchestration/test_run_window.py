"""The transform run's days: window tags set by the sensors and the CLI, yesterday without them."""

from datetime import date
from types import SimpleNamespace

import dagster as dg
import pytest

from connectors.config import load_sources
from orchestration.lib.partitions import (
    RefreshWindow,
    days_of_run,
    partition_days,
    run_window,
    window_tags,
)
from tests.conftest import FIXTURES

CONFIG = load_sources(FIXTURES / "sources.test.yml")  # history from 2026-09-01, 2 restatement days
TODAY = date(2026, 10, 21)


def test_window_tags_name_the_days_and_the_restatement_days_are_added():
    tags = window_tags(date(2026, 10, 10), date(2026, 10, 12))
    assert tags == {"aiuw/window_start": "2026-10-10", "aiuw/window_end": "2026-10-12"}
    assert days_of_run(tags, TODAY) == (date(2026, 10, 10), date(2026, 10, 12))
    assert run_window(tags, CONFIG, TODAY) == RefreshWindow(date(2026, 10, 8), date(2026, 10, 13))


def test_a_run_without_window_tags_covers_yesterday():
    assert days_of_run({}, TODAY) == (date(2026, 10, 20), date(2026, 10, 20))
    assert run_window({}, CONFIG, TODAY) == RefreshWindow(date(2026, 10, 18), date(2026, 10, 21))
    # one tag alone is that one day
    assert days_of_run({"aiuw/window_end": "2026-10-05"}, TODAY) == (
        date(2026, 10, 5),
        date(2026, 10, 5),
    )


def test_the_window_never_starts_before_history_start():
    tags = window_tags(date(2026, 8, 1), date(2026, 9, 3))
    assert run_window(tags, CONFIG, TODAY) == RefreshWindow(date(2026, 9, 1), date(2026, 9, 4))


@pytest.mark.parametrize(
    ("tags", "says"),
    [
        ({"aiuw/window_start": "10/10/2026", "aiuw/window_end": "2026-10-12"}, "YYYY-MM-DD"),
        ({"aiuw/window_start": "2026-10-12", "aiuw/window_end": "2026-10-10"}, "is before"),
    ],
)
def test_bad_window_tags_are_refused_with_the_fix(tags, says):
    with pytest.raises(ValueError, match=says) as raised:
        days_of_run(tags, TODAY)
    assert "aiuw/window_start" in str(raised.value)


def test_the_ingest_runs_partitions_become_the_transforms_days():
    assert partition_days({"dagster/partition": "2026-10-20"}) == (
        date(2026, 10, 20),
        date(2026, 10, 20),
    )
    assert partition_days(
        {
            "dagster/asset_partition_range_start": "2026-09-01",
            "dagster/asset_partition_range_end": "2026-09-20",
        }
    ) == (date(2026, 9, 1), date(2026, 9, 20))
    assert partition_days({"other": "x"}) is None


def test_the_sensor_starts_the_transform_for_the_ingest_runs_days():
    from orchestration.defs.automation.jobs import transform_request

    instance = dg.DagsterInstance.ephemeral()
    run = instance.create_run_for_job(
        dg.GraphDefinition(name="x").to_job(),
        tags={
            "dagster/asset_partition_range_start": "2026-09-01",
            "dagster/asset_partition_range_end": "2026-09-20",
        },
    ).with_status(dg.DagsterRunStatus.FAILURE)
    request = transform_request(SimpleNamespace(dagster_run=run))  # the sensors' context, as read
    assert request.tags == {
        "aiuw/window_start": "2026-09-01",
        "aiuw/window_end": "2026-09-20",
        "aiuw/ingest_run_id": run.run_id,
        "aiuw/ingest_status": "FAILURE",
    }
    assert request.run_key == f"transform-after-{run.run_id}"
