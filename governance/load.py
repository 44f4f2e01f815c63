"""Load and cross-check the governance files; flatten them into tables for the warehouse."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from connectors.errors import ConfigError
from connectors.yaml_validation import load_yaml_model
from governance.schema import ApplicationsFile, TeamsFile

GOVERNANCE_DIR = Path(__file__).resolve().parent
FILES = ("teams.yml", "applications.yml")


@dataclass(frozen=True)
class Governance:
    directory: Path
    teams: TeamsFile
    applications: ApplicationsFile

    def tables(self) -> dict[str, list[dict]]:
        """Rows for each governance table the warehouse reads."""
        return {
            "teams": [t.model_dump() for t in self.teams.teams],
            "applications": [
                {k: v for k, v in a.model_dump().items() if k != "credentials"}
                for a in self.applications.applications
            ],
            "application_credentials": [
                {
                    "application_id": a.id,
                    "provider": c.provider,
                    "credential_kind": c.kind,
                    "credential_id": c.id,
                }
                for a in self.applications.applications
                for c in a.credentials
            ],
        }

    def snapshot_hash(self) -> str:
        digest = hashlib.sha256()
        for name in FILES:
            digest.update(name.encode())
            digest.update((self.directory / name).read_bytes())
        return digest.hexdigest()


def governance_dir() -> Path:
    return Path(os.environ.get("AIUW_GOVERNANCE_DIR") or GOVERNANCE_DIR)


def load_governance(directory: Path | None = None) -> Governance:
    directory = directory or governance_dir()
    teams = load_yaml_model(directory / "teams.yml", TeamsFile, what="governance teams")
    applications = load_yaml_model(
        directory / "applications.yml", ApplicationsFile, what="governance applications"
    )
    known = {t.id for t in teams.teams}
    unknown = [
        (i, a) for i, a in enumerate(applications.applications) if a.owning_team not in known
    ]
    if unknown:
        lines = [
            f"{directory / 'applications.yml'}: applications[{i}].owning_team: unknown team {a.owning_team!r}. "
            f"Fix: use a team id from teams.yml or add the team there."
            for i, a in unknown
        ]
        raise ConfigError("invalid governance applications:\n  " + "\n  ".join(lines))
    return Governance(directory, teams, applications)
