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
    "GITHUB_TOKEN": "ghp_TEST7c2e9a4b1d3f5e6a8b0c-do-not-leak",
    "ENTRA_CLIENT_SECRET": "entra~TEST~5d2c8b1a9f3e-do-not-leak",
    "CURSOR_API_KEY": "key_TEST3e8d1c6b2a9f4e7d-do-not-leak",
    "CHATGPT_COMPLIANCE_API_KEY": "sk-compliance-TEST-2f7a9c4e1b8d-do-not-leak",
    "OKTA_API_TOKEN": "00TEST-okta-8c1f4e7a2d9b-do-not-leak",
    "GOOGLE_WORKSPACE_TOKEN": "ya29.TEST-google-3b7e1c9a5f2d-do-not-leak",
    "SCIM_TOKEN": "scim-TEST-6e2a8d4c1f7b-do-not-leak",
}

# Set before anything imports the definitions: partitions come from the sources config.
os.environ["AIUW_SOURCES"] = str(FIXTURES / "sources.test.yml")
os.environ.update(TEST_SECRETS)
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
# the tests' own dbt invocations write no log file of dbt's own, as the pipeline's do not
os.environ.setdefault("DBT_LOG_LEVEL_FILE", "none")
os.environ.setdefault("DBT_LOG_FORMAT_FILE", "text")


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
