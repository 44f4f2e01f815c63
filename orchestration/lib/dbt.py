"""The dbt project as Dagster sees it."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property, lru_cache
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.core import dbt_cli_invocation
from packaging import version

from orchestration.lib.child_processes import SubprocessDyingWithParent
from warehouse.paths import DBT_PROJECT_DIR

# dagster-dbt starts dbt with `subprocess.Popen` from this module: dbt dies with the run's process,
# even a SIGKILLed one, instead of writing on as an orphan holding the warehouse's lock.
dbt_cli_invocation.subprocess = SubprocessDyingWithParent()

# dbt tests tagged so check the whole history: the weekly validation runs them, the daily build not.
WHOLE_HISTORY_TAG = "whole_history"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


@contextmanager
def environment_for_dbt(env: dict[str, str]) -> Iterator[None]:
    """`env` added to this process's environment while dbt is started (dagster-dbt gives dbt a copy
    of it), then put back as it was."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_var_environment(dbt_vars: dict[str, Any]) -> dict[str, str]:
    """A run's dbt settings as the environment variables the project's `run_var` macro reads
    (dbt_project/macros/run_vars.sql): `--vars` would make dbt parse the whole project again."""
    return {
        f"AIUW_DBT_{name.upper()}": value if isinstance(value, str) else json.dumps(value)
        for name, value in dbt_vars.items()
    }


KEPT_INVOCATIONS = 10


def keep_parse_state(
    invocation_target: Path, dbt_target: Path, keep: int = KEPT_INVOCATIONS
) -> None:
    """Leave the invocation's parse state in `dbt_target`, where dagster-dbt starts the next
    invocation from (dbt then re-parses only what changed, not the whole project: about 10 s), and
    keep the newest `keep` invocation folders there."""
    if invocation_target.parent.resolve() != dbt_target.resolve():
        return
    state = invocation_target / "partial_parse.msgpack"
    if state.exists():
        staged = dbt_target / f".partial_parse.{os.getpid()}.msgpack"
        shutil.copyfile(state, staged)
        os.replace(staged, dbt_target / "partial_parse.msgpack")
    folders = sorted(
        (p for p in dbt_target.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime
    )
    for old in folders[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def seed_parse_state(dbt_target: Path, project_target: Path | None = None) -> bool:
    """A data directory's first dbt invocation starts from the parse state `dbt parse` left in the
    project's target folder (`make manifest`; `make run` parses just before), not from nothing:
    a full parse is about 10 s more. dbt ignores a state made with other settings. True if copied."""
    state = (project_target or Path(dbt_project.manifest_path).parent) / "partial_parse.msgpack"
    if (dbt_target / "partial_parse.msgpack").exists() or not state.exists():
        return False
    dbt_target.mkdir(parents=True, exist_ok=True)
    staged = dbt_target / f".partial_parse.{os.getpid()}.msgpack"
    shutil.copyfile(state, staged)
    os.replace(staged, dbt_target / "partial_parse.msgpack")
    return True


def dbt_executable() -> str:
    """dbt from this interpreter's environment, so an unactivated venv still finds it."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


class WarehouseDbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up costs it pays on every run (about 8 s).

    - It asks `dbt --version` in a subprocess; the dbt beside this interpreter is this environment's
      dbt-core, whose version is known without starting dbt.
    - It opens a dbt adapter in this process for its row-count and column metadata; the warehouse's
      row counts and totals are read by orchestration.lib.table_metadata instead.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        return None


def read_manifest(path: Path) -> dict[str, Any]:
    """The parsed manifest at `path`, read once per version of the file: each quality check and the
    publish step ask it about their mart (5 MB of JSON a time)."""
    stat = path.stat()
    return _manifest(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _manifest(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def published_models(manifest_path: Path | None = None) -> list[str]:
    """Names of the marts flagged `meta.aiuw.publish`, from the parsed manifest (the project's by default)."""

    manifest = read_manifest(manifest_path or dbt_project.manifest_path)
    names = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"].get("meta", {}).get("aiuw", {}).get("publish")
    ]
    return sorted(names)


def published_docs(manifest_path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Each published mart's dbt description and its columns' descriptions (those not empty), for
    the comments BI tools show: `{mart: {"description": ..., "columns": {column: ...}}}`."""

    manifest = read_manifest(manifest_path or dbt_project.manifest_path)
    marts = set(published_models(manifest_path))
    return {
        node["name"]: {
            "description": node.get("description") or "",
            "columns": {
                name: column["description"]
                for name, column in node.get("columns", {}).items()
                if column.get("description")
            },
        }
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"] in marts
    }


def published_person_columns(manifest_path: Path | None = None) -> dict[str, dict[str, str]]:
    """Each published mart's person columns and how they are keyed (`id` or `text`, see
    warehouse.pseudonym), from the columns' `meta.aiuw.person`: `{mart: {column: mode}}`."""

    manifest = read_manifest(manifest_path or dbt_project.manifest_path)
    marts = set(published_models(manifest_path))
    found: dict[str, dict[str, str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["name"] not in marts:
            continue
        for name, column in node.get("columns", {}).items():
            meta = {**column.get("meta", {}), **(column.get("config") or {}).get("meta", {})}
            mode = (meta.get("aiuw") or {}).get("person")
            if mode:
                found.setdefault(node["name"], {})[name] = mode
    return found


def model_schema(name: str) -> str:
    """The warehouse schema a model is built in (staging, intermediate, marts), from the manifest."""

    manifest = read_manifest(dbt_project.manifest_path)
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"] == name:
            return node["schema"]
    raise ValueError(f"no dbt model named {name}: check the suite's `table`")


def model_test_days(name: str) -> str | None:
    """`window` or `landed` when a daily run checks only the days it rebuilt of this model
    (`meta.aiuw.test_days`), else None (every row, every run)."""

    manifest = read_manifest(dbt_project.manifest_path)
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"] == name:
            return (node["config"].get("meta", {}).get("aiuw") or {}).get("test_days")
    raise ValueError(f"no dbt model named {name}")


def upstream_source_names(name: str) -> set[str]:
    """The dbt sources (source types, `governance`, `prices`, …) a model is built from, directly or
    through other models, from the manifest's lineage."""

    manifest = read_manifest(dbt_project.manifest_path)
    parents = manifest["parent_map"]
    start = next(
        (
            key
            for key, node in manifest["nodes"].items()
            if node["resource_type"] == "model" and node["name"] == name
        ),
        None,
    )
    if start is None:
        raise ValueError(f"no dbt model named {name}")
    seen, stack, sources = {start}, [start], set()
    while stack:
        for parent in parents.get(stack.pop(), []):
            if parent in seen:
                continue
            seen.add(parent)
            if parent.startswith("source."):
                sources.add(manifest["sources"][parent]["source_name"])
            else:
                stack.append(parent)
    return sources


def daily_build_excludes(manifest_path: Path | None = None) -> list[str]:
    """What a daily `dbt build` leaves out: the whole-history tests, and each test on a published
    mart whose rule the mart's quality suite checks as strictly (quality/suite_twins.py); the
    weekly validation runs them all."""
    return [f"tag:{WHOLE_HISTORY_TAG}", *suite_twin_tests(manifest_path)]


def suite_twin_tests(manifest_path: Path | None = None) -> list[str]:
    """The dbt tests no build runs, the weekly validation aside: each checks a rule that the
    published mart's quality suite, which gates publishing, checks on the rows the build rebuilt
    (quality/suite_twins.py), a rebuild from history_start included."""
    from quality.gx import load_suite_definition
    from quality.suite_twins import suite_twins

    manifest = read_manifest(manifest_path or dbt_project.manifest_path)
    return suite_twins(
        manifest, published_models(manifest_path), load_suite_definition, WHOLE_HISTORY_TAG
    )
