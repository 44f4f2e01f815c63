"""Dagster entry point: every definition under orchestration/defs/, loaded by folder.

Every job runs its steps in the run's own process (`in_process_executor`). Dagster's default for
launched runs starts a process per step, and each loads these definitions again (about 6 s of CPU):
the daily ingest's 45 steps took 170 s that way on a two-core machine and 11 s in one process.
`docs/spark.md` shows how a job or a deployment switches to a multiprocess or distributed executor.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(executor=dg.in_process_executor),
    )
