"""Governance files validate, cross-check, and flatten into tables."""

from __future__ import annotations

import shutil

import pytest

from connectors.errors import ConfigError
from governance.load import GOVERNANCE_DIR, load_governance


def test_the_example_governance_set_matches_the_sandbox_enterprise():
    from sandbox.server import SandboxState

    governance = load_governance(GOVERNANCE_DIR)
    tables = governance.tables()
    state = SandboxState()
    declared = {
        (c["provider"], c["credential_kind"], c["credential_id"])
        for c in tables["application_credentials"]
    }
    expected = {
        (c["provider"], c["kind"], c["id"])
        for p in state.providers
        for c in p.declared_credentials()
    }
    assert declared == expected
    ent = state.enterprise
    shadow = {p.project_id for p in ent.projects if not ent.application(p.application_id).declared}
    openai_projects = {c for provider, _, c in declared if provider == "openai"}
    assert openai_projects == {p.project_id for p in ent.projects} - shadow
    assert len(tables["teams"]) == len(ent.teams)
    assert {a["lifecycle_status"] for a in tables["applications"]} == {"production", "retired"}
    assert len(governance.snapshot_hash()) == 64


def test_unknown_team_is_reported_with_file_field_and_fix(tmp_path):
    shutil.copytree(
        GOVERNANCE_DIR, tmp_path / "gov", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    apps = tmp_path / "gov" / "applications.yml"
    apps.write_text(
        apps.read_text().replace("owning_team: support-ops", "owning_team: support-opz", 1)
    )
    with pytest.raises(ConfigError) as raised:
        load_governance(tmp_path / "gov")
    assert "applications[0].owning_team: unknown team 'support-opz'" in str(raised.value)
    assert "Fix:" in str(raised.value)


def test_a_credential_claimed_by_two_applications_is_rejected(tmp_path):
    import yaml

    shutil.copytree(
        GOVERNANCE_DIR, tmp_path / "gov", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    apps = tmp_path / "gov" / "applications.yml"
    data = yaml.safe_load(apps.read_text())
    first, second = data["applications"][0]["credentials"], data["applications"][1]["credentials"]
    stolen = next(c for c in first if c["provider"] == "openai")["id"]
    next(c for c in second if c["provider"] == "openai")["id"] = stolen
    apps.write_text(yaml.safe_dump(data))
    with pytest.raises(
        ConfigError,
        match=f"credential openai/project/{stolen} is declared by both app-support-assistant and app-ticket-triage",
    ):
        load_governance(tmp_path / "gov")
