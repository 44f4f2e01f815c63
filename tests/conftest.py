"""Test set-up: a test sources config, per-test data directories, and a sandbox on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEST_ADMIN_KEY = "sk-admin-TEST-4f9c2b7e1a0d-do-not-leak"
TEST_SECRETS = {
    "OPENAI_ADMIN_KEY": TEST_ADMIN_KEY,
    "ANTHROPIC_ADMIN_KEY": "sk-ant-admin-TEST-9d3e7c1b5a2f-do-not-leak",
    "LITELLM_MASTER_KEY": "sk-litellm-TEST-6b8a0c2e4d1f-do-not-leak",
}

# Set before anything imports the definitions: partitions come from the sources config.
os.environ["AIUW_SOURCES"] = str(FIXTURES / "sources.test.yml")
os.environ.update(TEST_SECRETS)
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def pytest_sessionstart(session: pytest.Session) -> None:
    """dbt's manifest must exist before Dagster definitions load."""
    manifest = ROOT / "dbt_project" / "target" / "manifest.json"
    if not manifest.exists():
        dbt = Path(sys.executable).parent / "dbt"
        subprocess.run(
            [
                str(dbt),
                "parse",
                "--quiet",
                "--project-dir",
                "dbt_project",
                "--profiles-dir",
                "dbt_project",
            ],
            cwd=ROOT,
            check=True,
        )


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("AIUW_DATA_DIR", str(data))
    for name in (
        "AIUW_LANDING_DIR",
        "AIUW_WAREHOUSE_PATH",
        "AIUW_PUBLISHED_DIR",
        "AIUW_QUALITY_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    return data


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch):
    from sandbox.server import SandboxServer, SandboxState

    with SandboxServer(SandboxState()) as server:
        for name, value in server.environment().items():
            monkeypatch.setenv(name, value)
        yield server
