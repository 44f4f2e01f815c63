"""Run the whole-history validation now: every dbt data test on every day, every quality suite on
its whole mart. Changes nothing; a failure is stored with the quality results and alerted.

    python -m orchestration.cli.validate
"""

from __future__ import annotations

import argparse
import os
import sys

import dagster as dg

from orchestration.automation_names import VALIDATION_JOB
from orchestration.cli.console import CONSOLE_RUN_CONFIG, with_progress_console


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m orchestration.cli.validate", description=__doc__
    ).parse_args(argv)
    from orchestration.definitions import defs

    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )
    job = with_progress_console(defs().resolve_job_def(VALIDATION_JOB))
    result = job.execute_in_process(
        instance=instance, run_config=CONSOLE_RUN_CONFIG, raise_on_error=False
    )
    print(f"{VALIDATION_JOB}: run {result.run_id} {'passed' if result.success else 'FAILED'}")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
