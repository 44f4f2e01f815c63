"""dbt's manifest written before the Dagster definitions load (they are built from it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from warehouse.paths import DBT_PROJECT_DIR


class DbtParseError(RuntimeError):
    """`dbt parse` failed; its own output says where."""


def parse_dbt_project() -> None:
    """`dbt parse` of the project, as `make manifest` runs it: partial parsing makes an unchanged
    project cost a few seconds."""
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt) if dbt.exists() else "dbt", "parse", "--quiet"]
    command += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise DbtParseError(
            f"exit {result.returncode}; fix the project and run `make manifest` to see it again:\n{output}"
        )
