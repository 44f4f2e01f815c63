"""The e2e modules share one deployment: its first backfill is the expensive step. A module whose
runs would change what the others read (test_pipeline.py) starts its own with `started_deployment`."""

from __future__ import annotations

import pytest

from tests.e2e.deployment import drift_release, started_deployment


@pytest.fixture(scope="package")
def deployment(tmp_path_factory):
    with started_deployment(tmp_path_factory) as d:
        yield d


@pytest.fixture(scope="package")
def usage_drift_release(tmp_path_factory):
    """A gateway-only history around the sandbox's planted usage drift, published and torn down
    (the shared deployment's environment is restored), for the drift and question modules."""
    return drift_release(tmp_path_factory)
