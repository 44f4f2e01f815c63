"""The e2e modules share one deployment: its first backfill is the expensive step."""

from __future__ import annotations

import logging

import pytest

from sandbox.server import SandboxServer, SandboxState
from tests.e2e.deployment import AS_OF_FIRST_RUN, Collector, Deployment


@pytest.fixture(scope="package")
def deployment(tmp_path_factory):
    data = tmp_path_factory.mktemp("deployment") / "data"
    collector = Collector()
    logging.getLogger().addHandler(collector)
    with pytest.MonkeyPatch.context() as patch, SandboxServer(SandboxState()) as server:
        patch.setenv("AIUW_DATA_DIR", str(data))
        patch.setenv("DBT_LOG_PATH", str(data / "dbt_logs"))
        for name, value in server.environment().items():
            patch.setenv(name, value)
        d = Deployment(data, server, patch)
        d.collector = collector
        # exports are written at the sandbox clock: set it before the first export exists
        d.set_clock(AS_OF_FIRST_RUN)
        d.first_result = d.run()
        yield d
    logging.getLogger().removeHandler(collector)
