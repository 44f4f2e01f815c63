"""The dbt CLI resource skips dagster-dbt's start-up costs without changing what it reports."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource

from orchestration.defs.transform.dbt_assets import resources
from orchestration.lib.dbt import WarehouseDbtCli, dbt_executable, dbt_project


def test_version_is_the_one_dbt_reports_without_starting_it():
    resource = WarehouseDbtCli(project_dir=dbt_project, dbt_executable=dbt_executable())
    assert Path(resource.dbt_executable).parent == Path(sys.executable).parent
    reported = subprocess.run(
        [resource.dbt_executable, "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"installed: (\d+\.\d+\.\d+)", reported).group(1) == str(resource._cli_version)
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_overrides_still_replace_dagster_dbt_members():
    # A dagster-dbt upgrade that renames these would silently bring the start-up costs back.
    for member in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert member in vars(DbtCliResource)
        assert member in vars(WarehouseDbtCli)


def test_the_transform_assets_run_with_it():
    assert isinstance(resources().resources["dbt"], WarehouseDbtCli)


def test_dbt_is_started_with_the_paths_and_this_process_keeps_its_environment(
    data_dir, monkeypatch
):
    """A second run in the same process (another AIUW_DATA_DIR) must not inherit the first run's
    warehouse, landing or books paths from this process's environment."""
    import os

    from orchestration.lib.dbt import environment_for_dbt
    from warehouse.paths import Paths

    monkeypatch.setenv("AIUW_LANDING_DIR", str(data_dir / "elsewhere"))
    env = Paths.from_env().dbt_environment()
    assert env["AIUW_BOOKS_DIR"] == str(data_dir / "books")
    assert "AIUW_BOOKS_DIR" not in os.environ
    show = "import os; print(os.environ['AIUW_BOOKS_DIR'], os.environ['AIUW_LANDING_DIR'])"
    with environment_for_dbt({**env, "AIUW_LANDING_DIR": "/landing/of/this/run"}):
        seen = subprocess.run(
            [sys.executable, "-c", show], capture_output=True, text=True, check=True
        ).stdout.split()
    assert seen == [str(data_dir / "books"), "/landing/of/this/run"]
    assert "AIUW_BOOKS_DIR" not in os.environ
    assert os.environ["AIUW_LANDING_DIR"] == str(data_dir / "elsewhere")


def test_a_new_data_directory_starts_from_the_projects_parse_state(tmp_path):
    from orchestration.lib.dbt import seed_parse_state

    project_target, dbt_target = tmp_path / "project_target", tmp_path / "data" / "dbt_target"
    project_target.mkdir()
    (project_target / "partial_parse.msgpack").write_bytes(b"parsed by make manifest")
    assert seed_parse_state(dbt_target, project_target)
    assert (dbt_target / "partial_parse.msgpack").read_bytes() == b"parsed by make manifest"
    # a data directory's own state, left by its last invocation, is never replaced
    (dbt_target / "partial_parse.msgpack").write_bytes(b"left by the last run")
    assert not seed_parse_state(dbt_target, project_target)
    assert (dbt_target / "partial_parse.msgpack").read_bytes() == b"left by the last run"
    assert not seed_parse_state(tmp_path / "other", tmp_path / "no_project_target")
