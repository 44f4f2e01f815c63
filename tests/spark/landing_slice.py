"""A few days of the sandbox enterprise landed for every source of the sandbox's configuration,
through the same ingest code the Dagster assets run, plus the price catalog and the governance
files: everything the published marts read."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from connectors.config import SOURCE_TYPES, load_sources
from governance.load import GOVERNANCE_DIR, load_governance
from orchestration.lib.ingest import land_entity
from orchestration.lib.partitions import RefreshWindow
from prices.landing import land_catalog
from sandbox.server import SandboxServer, SandboxState
from warehouse.paths import REPO_ROOT, Paths

AS_OF = datetime(2026, 9, 10, 6, tzinfo=UTC)
START, END = date(2026, 9, 1), date(2026, 9, 4)  # end exclusive: three days


def land_slice(base: Path) -> SandboxState:
    """Land [START, END) of every configured source of every source type (connectors.config) under
    base/landing (snapshots, such as seats and directories, dated END's eve), the price catalog and
    the governance files; return the sandbox."""
    state = SandboxState(as_of=AS_OF)
    exports = state.write_exports(base / "exports", START, END)
    config = load_sources(REPO_ROOT / "config" / "sources.sandbox.yml")
    window = RefreshWindow(START, END)
    with pytest.MonkeyPatch.context() as patch, SandboxServer(state) as server:
        for name, value in {**server.environment(), **exports}.items():
            patch.setenv(name, value)
        patch.setenv("AIUW_DATA_DIR", str(base / "data"))
        patch.setenv("AIUW_LANDING_DIR", str(base / "landing"))
        paths = Paths.from_env()
        for source_type in SOURCE_TYPES:
            module = importlib.import_module(f"orchestration.defs.ingest.{source_type}.assets")
            for source in config.of_type(source_type):
                for entity in module.ENTITIES:
                    land_entity(source_type, entity, source, window, paths, module.open_client)
    land_catalog(base / "landing" / "prices")
    governance = base / "landing" / "governance"
    governance.mkdir(parents=True)
    for name, table in load_governance(GOVERNANCE_DIR).tables().items():
        pq.write_table(table, governance / f"{name}.parquet")
    return state
