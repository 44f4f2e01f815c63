"""`dbt build` of a selection into a test's own DuckDB file, reading a test's own landing zone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from orchestration.lib.books import ensure_books_schema

ROOT = Path(__file__).resolve().parents[1]
# Landing to the gateway mart: the request models and what they read and feed.
GATEWAY_MODELS = [
    "stg_litellm__spend_logs",
    "stg_litellm_export__spend_logs",
    "stg_otlp_genai__genai_spans",
    "int_litellm_requests",
    "int_otel_requests",
    "fct_gateway_requests_daily",
]


def dbt_build(
    base: Path,
    database: Path,
    landing: Path,
    select: list[str],
    *,
    cautious: bool = False,
    timeout: int = 300,
    target: str | None = None,
    tests: bool = True,
    env: dict[str, str] | None = None,
    dbt_vars: dict[str, str] | None = None,
) -> None:
    """Build `select` (tests included unless `tests` is false) on the profile's `target`; targets and
    logs go under `base`, and so do the closed books (none booked unless `env` names other books).
    Fails with dbt's output."""
    books = Path((env or {}).get("AIUW_BOOKS_DIR") or base / "books")
    ensure_books_schema(books, ROOT / "dbt_project" / "target" / "manifest.json")
    indirect = ["--indirect-selection", "cautious"] if cautious else []
    variables = ["--vars", json.dumps(dbt_vars)] if dbt_vars else []
    options = (["--target", target] if target else []) + (
        [] if tests else ["--exclude-resource-type", "test", "unit_test"]
    )
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--project-dir",
            "dbt_project",
            "--profiles-dir",
            "dbt_project",
            "--target-path",
            str(base / "target"),
            *indirect,
            *variables,
            *options,
            "--select",
            *select,
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "AIUW_WAREHOUSE_PATH": str(database),
            "AIUW_LANDING_DIR": str(landing),
            "DBT_LOG_PATH": str(base / "logs"),
            "AIUW_BOOKS_DIR": str(books),
            **(env or {}),
        },
        capture_output=True,
        check=False,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-4000:]
