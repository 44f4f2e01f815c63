"""One backfill pull from the sandbox into a test landing zone: every entity of the given sources
landed for a window the way the ingest assets land it, plus the governance tables dbt reads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq
import pytest

from connectors.config import SourceConfig
from governance.load import load_governance
from orchestration.lib.ingest import land_entity
from orchestration.lib.partitions import RefreshWindow
from sandbox.server import SandboxServer, SandboxState
from warehouse.paths import Paths

# (source type, source, the ingest asset module with ENTITIES and open_client)
Source = tuple[str, SourceConfig, ModuleType]


def land_backfill(
    base: Path,
    sources: Iterable[Source],
    first_day: date,
    pulled_on: date,
    governance_tables: Iterable[str],
    state: SandboxState | None = None,
) -> Path:
    """Land `first_day` .. the day before `pulled_on` (snapshots are dated that last day), pulled at
    06:00 UTC on `pulled_on`; return the landing directory."""
    landing = base / "data" / "landing"
    with SandboxServer(state or SandboxState()) as server, pytest.MonkeyPatch.context() as patch:
        for name, value in server.environment().items():
            patch.setenv(name, value)
        patch.setenv("AIUW_DATA_DIR", str(base / "data"))
        patch.setenv("AIUW_LANDING_DIR", str(landing))
        paths = Paths.from_env()
        server.state.as_of = datetime.combine(pulled_on, time(6), UTC)
        window = RefreshWindow(first_day, pulled_on)
        for source_type, source, module in sources:
            for entity in module.ENTITIES:
                land_entity(source_type, entity, source, window, paths, module.open_client)
    (landing / "governance").mkdir(parents=True, exist_ok=True)
    tables = load_governance().tables()
    for name in governance_tables:
        pq.write_table(tables[name], landing / "governance" / f"{name}.parquet")
    return landing
