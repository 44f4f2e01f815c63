"""A slice of the sandbox enterprise landed for every source of the sandbox's configuration,
through the same ingest code the Dagster assets run, plus the price catalog and the governance
files: everything the published marts read."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.config import SOURCE_TYPES, load_sources
from governance.load import GOVERNANCE_DIR, load_governance
from orchestration.lib.ingest import Entity, land_entity
from orchestration.lib.partitions import RefreshWindow
from prices.landing import land_catalog
from sandbox.server import SandboxServer, SandboxState
from warehouse.landing import ensure_schema_file
from warehouse.paths import REPO_ROOT, Paths

AS_OF = datetime(2026, 9, 10, 6, tzinfo=UTC)
START, END = date(2026, 9, 1), date(2026, 9, 4)  # end exclusive: three days of every source
# Spark's time follows the rows, so only the marts that need history get it, from a few sources:
# - OpenAI from 1 August: a whole month of invoiced cost and usage, closed by the three days, for
#   the forecast back-test (whole months), the spend drivers (the day, week and month before) and
#   the closed books a late restatement changes (RESTATEMENT);
# - the gateways from 17 August: two whole ISO weeks of traffic (17-23 and 24-30 August); usage
#   drift judges the second against the first (DRIFT_BASELINE_WEEKS).
MONTH_START, WEEKS_START = date(2026, 8, 1), date(2026, 8, 17)
JUDGED_WEEK = date(2026, 8, 24)
HISTORY_START = {
    "openai": MONTH_START,
    "litellm": WEEKS_START,
    "litellm_export": WEEKS_START,
    "otlp_genai": WEEKS_START,
}
# the sandbox providers whose file exports the gateway sources read
GATEWAY_EXPORTS = {"litellm", "otel"}
# The slice's drift rules judge a week against one baseline week (the enterprise's rules ask for
# four), so JUDGED_WEEK gets a verdict on every measure. One week has no spread, so the robust z of
# the count and ratio measures has no value: a third week (two baseline weeks) gives it one, at
# about 35 s more of the module's CPU than CI's time budget holds (docs/spark.md).
DRIFT_BASELINE_WEEKS = 1
# OpenAI's bill of 12 August grows by this much after August is booked.
RESTATEMENT = (date(2026, 8, 12), Decimal("125.00"))
# An entity that never landed: its folder holds only the zero-row schema file, which both engines
# must read as no rows (a source's first days, or an entity nobody has used yet).
NEVER_LANDED = ("openai", "service_accounts")


def land_slice(base: Path) -> SandboxState:
    """Land [START, END) of every configured source of every source type (connectors.config) under
    base/landing, from HISTORY_START where a source type has one (snapshots, such as seats and
    directories, dated END's eve), the price catalog and the governance files; return the
    sandbox."""
    state = SandboxState(as_of=AS_OF)
    exports = {
        **state.write_exports(
            base / "exports", START, END, providers=lambda p: p.name not in GATEWAY_EXPORTS
        ),
        **state.write_exports(
            base / "exports", WEEKS_START, END, providers=lambda p: p.name in GATEWAY_EXPORTS
        ),
    }
    land(base, state, exports, lambda source_type, entity: True)
    land_catalog(base / "landing" / "prices")
    governance = base / "landing" / "governance"
    governance.mkdir(parents=True)
    for name, table in load_governance(GOVERNANCE_DIR).tables().items():
        if name == "usage_drift_thresholds":
            weeks = pa.array([DRIFT_BASELINE_WEEKS] * len(table), pa.int32())
            table = table.set_column(
                table.schema.get_field_index("min_baseline_weeks"), "min_baseline_weeks", weeks
            )
        pq.write_table(table, governance / f"{name}.parquet")
    return state


def land_restatement(base: Path, state: SandboxState) -> None:
    """OpenAI restates its bill of RESTATEMENT's day; that day's costs land again."""
    day, amount = RESTATEMENT
    state.provider("openai").restate(day, amount)
    land(
        base,
        state,
        {},
        lambda source_type, entity: (source_type, entity.name) == ("openai", "costs"),
        RefreshWindow(day, day + timedelta(days=1)),
    )


def land(
    base: Path,
    state: SandboxState,
    exports: dict[str, str],
    selected: Callable[[str, Entity], bool],
    window: RefreshWindow | None = None,
) -> None:
    """Land the `selected(source_type, entity)` entities of every configured source, over `window`
    or each source type's own days of the slice."""
    config = load_sources(REPO_ROOT / "config" / "sources.sandbox.yml")
    with pytest.MonkeyPatch.context() as patch, SandboxServer(state) as server:
        for name, value in {**server.environment(), **exports}.items():
            patch.setenv(name, value)
        patch.setenv("AIUW_DATA_DIR", str(base / "data"))
        patch.setenv("AIUW_LANDING_DIR", str(base / "landing"))
        paths = Paths.from_env()
        for source_type in SOURCE_TYPES:
            module = importlib.import_module(f"orchestration.defs.ingest.{source_type}.assets")
            days = window or RefreshWindow(HISTORY_START.get(source_type, START), END)
            for source in config.of_type(source_type):
                for entity in module.ENTITIES:
                    if (source_type, entity.name) == NEVER_LANDED:
                        ensure_schema_file(paths.landing, source_type, entity.name, entity.schema)
                    elif selected(source_type, entity):
                        land_entity(source_type, entity, source, days, paths, module.open_client)
