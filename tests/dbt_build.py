"""`dbt build` of a selection into a test's own DuckDB file, reading a test's own landing zone."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from orchestration.lib.dbt import environment_for_dbt, run_var_environment
from warehouse.books import ensure_books_schema

ROOT = Path(__file__).resolve().parents[1]
# dbt parses the whole project (about 16 s) unless it finds a parse state made with the same profile
# and vars. The profile includes the warehouse path, so every DuckDB build of this process opens its
# database through one link, and each build starts from the parse state the previous one left here.
# The landing and books directories are read through links there too: the sources' YAML names them
# (env_var), and a changed value re-parses those files and what reads them (about 4.5 s of CPU).
SHARED = Path(tempfile.gettempdir()) / f"aiuw-test-dbt-{os.getpid()}"
PARSE_STATE = "partial_parse.msgpack"
# Landing to the gateway mart: the request models and what they read and feed.
GATEWAY_MODELS = [
    "stg_litellm__spend_logs",
    "stg_litellm_export__spend_logs",
    "stg_otlp_genai__genai_spans",
    "int_litellm_requests",
    "int_otel_requests",
    "int_gateway_requests_daily",
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
    empty: bool = False,
    env: dict[str, str] | None = None,
    dbt_vars: dict[str, str] | None = None,
) -> None:
    """Build `select` (data tests included unless `tests` is false; `empty`: every model with no
    rows, dbt's --empty) on the profile's `target`; targets and logs go under `base`, and so do the
    closed books (none booked unless `env` names other books). DuckDB builds run in this process,
    another target's in a subprocess stopped after `timeout` seconds. Fails with dbt's output.

    dbt's unit tests are left out: tests/dbt/test_dbt_unit_tests.py runs them on their own fixed
    rows, and the tables a build here reads are a test's own, with only the columns it needs."""
    books = Path((env or {}).get("AIUW_BOOKS_DIR") or base / "books")
    ensure_books_schema(books, ROOT / "dbt_project" / "target" / "manifest.json")
    indirect = ["--indirect-selection", "cautious"] if cautious else []
    target_path = base / "target"
    if target is None:
        warehouse = shared_warehouse_path(database, target_path)
        landing, books = shared_link("landing", landing), shared_link("books", books)
    else:
        warehouse = database
    options = (
        (["--target", target] if target else [])
        + ["--exclude-resource-type", *(["unit_test"] if tests else ["test", "unit_test"])]
        + (["--empty"] if empty else [])
    )
    args = [
        "build",
        # no manifest.json and run_results.json (about 2 s a build): the tests read the
        # warehouse; the parse state is still written
        "--no-write-json",
        "--project-dir",
        str(ROOT / "dbt_project"),
        "--profiles-dir",
        str(ROOT / "dbt_project"),
        "--target-path",
        str(target_path),
        *indirect,
        *options,
        "--select",
        *select,
    ]
    dbt_env = {
        "AIUW_WAREHOUSE_PATH": str(warehouse),
        "AIUW_LANDING_DIR": str(landing),
        "DBT_LOG_PATH": str(base / "logs"),
        **run_var_environment(dbt_vars or {}),
        **(env or {}),
        "AIUW_BOOKS_DIR": str(books),  # `env`'s books, through the link
    }
    if target is None:
        succeeded, output = build_in_process(args, dbt_env)
    else:
        succeeded, output = build_in_subprocess(args, dbt_env, timeout)
    if target is None and (target_path / PARSE_STATE).exists():
        shutil.copyfile(target_path / PARSE_STATE, SHARED / PARSE_STATE)
    assert succeeded, output[-4000:]


def shared_warehouse_path(database: Path, target_path: Path) -> Path:
    """The one path this process's DuckDB builds open: a link to `database`, with the parse state
    of the previous build copied into `target_path`."""
    # a log a killed build left beside the link belongs to another test's database
    (SHARED / "warehouse.duckdb.wal").unlink(missing_ok=True)
    link = shared_link("warehouse.duckdb", database)
    if (SHARED / PARSE_STATE).exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED / PARSE_STATE, target_path / PARSE_STATE)
    return link


def shared_link(name: str, path: Path) -> Path:
    """SHARED/`name`, a link to `path` from now on."""
    SHARED.mkdir(exist_ok=True)
    link = SHARED / name
    link.unlink(missing_ok=True)
    link.symlink_to(path.resolve())
    return link


def build_in_process(args: list[str], env: dict[str, str]) -> tuple[bool, str]:
    """`dbt args` in this process with `env` set meanwhile: no second interpreter importing dbt
    (about 2 s of CPU a build). Returns whether it succeeded and dbt's messages from info up."""
    result, output = invoke_in_process(args, env)
    return result.success, output


def invoke_in_process(args: list[str], env: dict[str, str]):
    """dbt's result of `dbt args` run in this process, and its messages from info up."""
    from dbt.cli.main import dbtRunner

    lines: list[str] = []

    def keep(event) -> None:
        if event.info.level in ("info", "warn", "error"):
            lines.append(event.info.msg)

    # dbt moves into the project directory and stays there: the previous one is restored after
    try:
        with environment_for_dbt(env), contextlib.chdir(ROOT):
            result = dbtRunner(callbacks=[keep]).invoke(args)
    finally:
        close_dbt_duckdb()
    if result.exception is not None:
        lines.append(repr(result.exception))
    return result, "\n".join(lines)


def dbt_invoke(base: Path, args: list[str], database: Path | None = None):
    """dbt's result of `dbt args` (a command and its options; the project, profiles and a target
    path under `base` are added) run in this process from the parse state the builds share, on
    `database` (a scratch file under `base` by default), and its messages from info up."""
    target_path = base / "target"
    env = {
        "AIUW_WAREHOUSE_PATH": str(
            shared_warehouse_path(database or base / "scratch.duckdb", target_path)
        ),
        "AIUW_LANDING_DIR": str(shared_link("landing", base / "landing")),
        "AIUW_BOOKS_DIR": str(shared_link("books", base / "books")),
        "DBT_LOG_PATH": str(base / "logs"),
    }
    project = [
        "--project-dir",
        str(ROOT / "dbt_project"),
        "--profiles-dir",
        str(ROOT / "dbt_project"),
    ]
    result, output = invoke_in_process([*args, *project, "--target-path", str(target_path)], env)
    if (target_path / PARSE_STATE).exists():
        shutil.copyfile(target_path / PARSE_STATE, SHARED / PARSE_STATE)
    return result, output


def dbt_show(base: Path, sql: str, limit: int = 100) -> list[dict]:
    """The rows of `dbt show --inline sql` on a scratch DuckDB file under `base`."""
    result, output = dbt_invoke(base, ["show", "--inline", sql, "--limit", str(limit)])
    assert result.success, output[-4000:]
    table = result.result.results[0].agate_table
    return [dict(zip(table.column_names, row, strict=True)) for row in table.rows]


def close_dbt_duckdb() -> None:
    """Close the database dbt-duckdb keeps open in this process after a build (its environment is
    cached per profile): the test opens the file next, and the next build another one."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager._ENV.close()
    DuckDBConnectionManager._ENV = None


def build_in_subprocess(args: list[str], env: dict[str, str], timeout: int) -> tuple[bool, str]:
    """`dbt args` in a process of its own (Spark starts its JVM from it)."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        check=False,
        text=True,
        timeout=timeout,
    )
    return result.returncode == 0, result.stdout
