"""Write the example governance files for the sandbox enterprise: `python -m sandbox.governance_example`.

The files in governance/ were produced by this script and then kept by hand; re-run it when the
sandbox enterprise or its providers change. Each sandbox provider says which of its credentials
governance declares; undeclared ones (shadow AI) are left out on purpose.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from sandbox.enterprise import RETIRED_APPLICATION
from sandbox.server import SandboxState

PURPOSES = {
    "customer_facing": "Answers customers directly in the product or support channels.",
    "automated_decision": "Classifies or routes records without a person in the loop.",
    "internal_productivity": "Helps employees draft, summarise or search internal material.",
    "code_assistance": "Reviews and suggests code for engineers.",
    "research_experiment": "Evaluates models and prompts; not in front of customers.",
}


def build(state: SandboxState) -> tuple[dict, dict]:
    enterprise = state.enterprise
    teams = []
    for team in enterprise.teams:
        members = [p for p in enterprise.people if p.team_id == team.team_id]
        teams.append(
            {
                "id": team.team_id,
                "name": team.team_id.replace("-", " ").title(),
                "department": team.department,
                "cost_center": team.cost_center_id,
                "owner": members[0].email,
            }
        )
    credentials: dict[str, list[dict]] = {}
    for provider in state.providers:
        for c in provider.declared_credentials():
            credentials.setdefault(c["application_id"], []).append(
                {"provider": c["provider"], "kind": c["kind"], "id": c["id"]}
            )
    applications = [
        {
            "id": app.application_id,
            "name": app.name.replace("-", " ").capitalize(),
            "owning_team": app.owning_team_id,
            "business_purpose": PURPOSES[app.use_category],
            "use_category": app.use_category,
            "lifecycle_status": "retired" if app.name == RETIRED_APPLICATION else "production",
            "approved_on": "2025-06-01",
            "credentials": credentials.get(app.application_id, []),
        }
        for app in enterprise.applications
        if app.declared
    ]
    return {"teams": teams}, {"applications": applications}


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("governance")
    teams, applications = build(SandboxState())
    header = "# Generated for the sandbox enterprise by `python -m sandbox.governance_example`, then kept by hand.\n"
    (target / "teams.yml").write_text(header + yaml.safe_dump(teams, sort_keys=False))
    (target / "applications.yml").write_text(header + yaml.safe_dump(applications, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
