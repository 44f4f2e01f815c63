"""A child started through popen_dying_with_parent dies when its parent is SIGKILLed; a plain one lives on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.lib.child_processes import dies_with_parent_supported
from tests.conftest import ROOT
from tests.crashing_run import PID_FILE_ENV, process_gone, write_fake_dbt

PARENT = """
import subprocess, sys, time
from orchestration.lib.child_processes import popen_dying_with_parent
start = popen_dying_with_parent if sys.argv[1] == "tied" else subprocess.Popen
start([sys.argv[2], "build"])
time.sleep(120)
"""

pytestmark = pytest.mark.skipif(not dies_with_parent_supported(), reason="Linux only (prctl)")


def wait_for_pid(path: Path, within: float = 10) -> int:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError(f"the child never wrote {path}")


def kill_parent_of_child(tmp_path: Path, how: str) -> int:
    """Start a parent that starts the fake dbt (`how`: tied or plain), SIGKILL the parent, return the child pid."""
    pid_file = tmp_path / "child.pid"
    env = {**os.environ, PID_FILE_ENV: str(pid_file)}
    fake_dbt = write_fake_dbt(tmp_path / "dbt")
    parent = subprocess.Popen([sys.executable, "-c", PARENT, how, str(fake_dbt)], cwd=ROOT, env=env)
    try:
        child = wait_for_pid(pid_file)
        assert not process_gone(child, within=0.2), "the child should run while its parent does"
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    return child


def test_a_tied_child_dies_with_its_killed_parent(tmp_path):
    child = kill_parent_of_child(tmp_path, "tied")
    gone = process_gone(child, within=5)
    if not gone:
        os.kill(child, signal.SIGKILL)
    assert gone, "the child outlived its killed parent"


def test_a_plain_child_outlives_its_killed_parent(tmp_path):
    # what the tie prevents: an orphan (dbt, holding the warehouse lock) writing on after the run died
    child = kill_parent_of_child(tmp_path, "plain")
    try:
        assert not process_gone(child, within=1)
    finally:
        os.kill(child, signal.SIGKILL)


def test_dagster_dbt_still_starts_dbt_with_the_tied_popen():
    # A dagster-dbt upgrade that starts dbt another way would silently bring orphans back.
    import inspect

    from dagster_dbt.core import dbt_cli_invocation

    import orchestration.lib.dbt  # noqa: F401  (installs the tie)
    from orchestration.lib.child_processes import popen_dying_with_parent

    assert "subprocess.Popen(" in inspect.getsource(dbt_cli_invocation.DbtCliInvocation.run)
    assert dbt_cli_invocation.subprocess.Popen is popen_dying_with_parent
