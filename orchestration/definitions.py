"""Dagster entry point: every definition under orchestration/defs/, loaded by folder.

Every job runs its steps in the run's own process (`in_process_executor`). Dagster's default for
launched runs starts a process per step, and each loads these definitions again (about 6 s of CPU):
the daily ingest's 45 steps took 170 s that way on a two-core machine and 11 s in one process.
`docs/spark.md` shows how a job or a deployment switches to a multiprocess or distributed executor.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.lib.sources import sources_config

# A launched run's process asks for the definitions five times (the code location, then each time
# it reconstructs the job): about 1 s of CPU each. They depend only on the sources file, so they are
# built once per loaded sources config (a process that loads another file builds them again).
_built: list[tuple[object, dg.Definitions]] = []


@dg.definitions
def defs() -> dg.Definitions:
    config = sources_config()
    if _built and _built[0][0] is config:
        return _built[0][1]
    definitions = dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(executor=dg.in_process_executor),
    )
    _built[:] = [(config, definitions)]
    return definitions
