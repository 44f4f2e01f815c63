"""The command line's console: a short line per message and per finished step, no colour."""

from __future__ import annotations

import logging
import re

import dagster as dg
import pytest

from orchestration.cli.console import CONSOLE_RUN_CONFIG, MAX_LINE, with_progress_console


@dg.asset
def landed(context) -> None:
    logging.getLogger("connectors.example").debug("page 7 of 9 read")
    logging.getLogger("connectors.example").warning("page 8 retried after a 503")
    logging.getLogger("connectors.example").info("items read in 9 page(s)")
    context.log.info("example/items: landed 3 rows in 1 file(s)")


@dg.asset(deps=[landed])
def modelled() -> None:
    raise RuntimeError("the model's SQL is broken at line 4")


@dg.asset(deps=[modelled])
def published() -> None:
    pass


@pytest.fixture
def instance():
    overrides = {
        "python_logs": {"managed_python_loggers": ["connectors"], "python_log_level": "DEBUG"}
    }
    with dg.instance_for_test(overrides=overrides) as instance:
        yield instance


def test_each_message_and_finished_step_is_one_line_and_detail_stays_in_the_run_log(
    instance, capsys
):
    job = dg.Definitions(
        assets=[landed, modelled, published], jobs=[dg.define_asset_job("example")]
    ).resolve_job_def("example")

    result = with_progress_console(job).execute_in_process(
        instance=instance, run_config=CONSOLE_RUN_CONFIG, raise_on_error=False
    )

    printed = capsys.readouterr().out.splitlines()
    shown = [re.sub(r"^\[\s*\d+s\] ", "", line) for line in printed]
    assert shown == [
        "landed: WARNING: page 8 retried after a 503",
        "landed: items read in 9 page(s)",
        "landed: example/items: landed 3 rows in 1 file(s)",
        shown[3],
        shown[4],
        "published: ERROR: Dependencies for step published failed: ['modelled']. Not executing.",
    ]
    assert re.fullmatch(r"1/3 landed: done in \d+\.\ds", shown[3])
    assert shown[4] == "2/3 modelled: FAILED: RuntimeError: the model's SQL is broken at line 4"
    assert all(re.match(r"^\[\s*\d+s\] ", line) for line in printed)
    assert not any("\x1b[" in line for line in printed)
    # what the console leaves out is still in the run's own log
    messages = [e.message for e in instance.all_logs(result.run_id)]
    assert any("page 7 of 9 read" in m for m in messages)


@dg.asset(key=["raw", "example_source", "daily_items"])
def raw_items(context) -> None:
    context.log.info("example_source/daily_items: pulling 2026-08-01..2026-12-06 from 1 source(s)")
    context.log.warning("tenant t-1: " + "every user name is concealed in this report; " * 6)


def test_an_ingest_step_shows_as_its_entity_and_no_line_is_longer_than_the_limit(instance, capsys):
    job = dg.Definitions(assets=[raw_items], jobs=[dg.define_asset_job("ingest")]).resolve_job_def(
        "ingest"
    )
    with_progress_console(job).execute_in_process(instance=instance, run_config=CONSOLE_RUN_CONFIG)

    printed = capsys.readouterr().out.splitlines()
    assert re.fullmatch(
        r"\[\s*\d+s\] example_source/daily_items: pulling 2026-08-01\.\.2026-12-06 from 1 source\(s\)",
        printed[0],
    )
    assert re.match(
        r"\[\s*\d+s\] example_source/daily_items: WARNING: tenant t-1: every user", printed[1]
    )
    warning = " ".join(line.strip() for line in printed[1:-1])
    assert warning.endswith("concealed in this report;") and warning.count("concealed") == 6
    assert all(line.startswith(" " * 10) for line in printed[2:-1])
    assert re.fullmatch(
        r"\[\s*\d+s\] 1/1 example_source/daily_items: done in \d+\.\ds", printed[-1]
    )
    assert max(len(line) for line in printed) <= MAX_LINE
