"""The e2e modules share one deployment: its first backfill is the expensive step. A module whose
runs would change what the others read (test_pipeline.py) starts its own with `started_deployment`."""

from __future__ import annotations

import pytest

from tests.e2e.deployment import started_deployment


@pytest.fixture(scope="package")
def deployment(tmp_path_factory):
    with started_deployment(tmp_path_factory) as d:
        yield d
