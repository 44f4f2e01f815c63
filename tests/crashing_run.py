"""Runs for the crash tests: a Dagster instance with the project's pool settings in a test directory,
a pooled asset, and a process whose run starts a long dbt-like child the way the transform does.

    python -m tests.crashing_run INSTANCE_DIR FAKE_DBT TARGET_DIR   # runs until killed
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import dagster as dg

POOL = "duckdb"
PID_FILE_ENV = "FAKE_DBT_PID_FILE"

FAKE_DBT = """#!{python}
import os, sys, time
if "--version" in sys.argv:
    print("Core:\\n  - installed: 1.11.0")
    sys.exit(0)
with open(os.environ["{pid_file_env}"], "w") as out:
    out.write(str(os.getpid()))
time.sleep(120)
"""


def pooled_instance(directory: Path) -> dg.DagsterInstance:
    """A sqlite instance whose pools hold one step at a time, like dagster.yaml's."""
    directory.mkdir(parents=True, exist_ok=True)
    return dg.DagsterInstance.local_temp(
        str(directory), overrides={"concurrency": {"pools": {"default_limit": 1}}}
    )


def write_fake_dbt(path: Path) -> Path:
    """A `dbt` that reports a version, writes its pid to $FAKE_DBT_PID_FILE and runs for two minutes."""
    path.write_text(FAKE_DBT.format(python=sys.executable, pid_file_env=PID_FILE_ENV))
    path.chmod(0o755)
    return path


@dg.asset(pool=POOL)
def pooled_step() -> int:
    return 1


def process_gone(pid: int, within: float) -> bool:
    """Whether process `pid` has ended (or is a zombie nobody reaps) within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def _run_dbt_until_killed(instance_dir: Path, fake_dbt: Path, target: Path) -> None:
    from orchestration.lib.crashed_runs import process_tags
    from orchestration.lib.dbt import WarehouseDbtCli, dbt_project

    @dg.asset(pool=POOL, name="dbt_build")
    def dbt_build() -> None:
        dbt = WarehouseDbtCli(project_dir=dbt_project, dbt_executable=str(fake_dbt))
        dbt.cli(["build"], raise_on_error=False, target_path=target).wait()

    with pooled_instance(instance_dir) as instance:
        dg.materialize([dbt_build], instance=instance, tags=process_tags())


if __name__ == "__main__":
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    _run_dbt_until_killed(*(Path(arg) for arg in sys.argv[1:4]))
