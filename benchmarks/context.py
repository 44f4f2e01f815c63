"""Land the sandbox's identity directories and SaaS tools for one day through the real ingest job.

The scale generator writes the gateway and provider traffic; people and seats come from the
sandbox enterprise as usual, so every mart (and its quality gate) has its data:

    AIUW_DATA_DIR=data/benchmark/day python -m benchmarks.context --day 2026-11-20 --data data/benchmark/day
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from orchestration.automation_names import INGEST_JOB
from orchestration.lib.partitions import RANGE_END_TAG, RANGE_START_TAG

SOURCES = (
    "okta",
    "entra_id",
    "google_workspace",
    "scim",
    "github_copilot",
    "cursor",
    "m365_copilot",
    "chatgpt_enterprise",
)


def land(day: date, data: Path) -> bool:
    from sandbox.server import SandboxServer, export_default_secrets

    export_default_secrets()
    sandbox = SandboxServer().start()
    try:
        os.environ.update(sandbox.environment())
        os.environ.update(
            sandbox.state.write_exports(data / "sandbox_exports", day, day + timedelta(days=1))
        )
        from orchestration.definitions import defs

        job = defs().resolve_job_def(INGEST_JOB)
        keys = [k for k in job.asset_layer.executable_asset_keys if k.path[1] in SOURCES]
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            asset_selection=keys,
            tags={
                RANGE_START_TAG: day.isoformat(),
                RANGE_END_TAG: day.isoformat(),
            },
            raise_on_error=False,
        )
        return result.success
    finally:
        sandbox.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args(argv)
    return 0 if land(args.day, args.data.resolve()) else 1


if __name__ == "__main__":
    sys.exit(main())
