"""Write the example governance files for the sandbox enterprise: `python -m sandbox.governance_example`.

The files in governance/ were produced by this script; re-run it when the sandbox enterprise or its
providers change. Each sandbox provider says which of its credentials governance declares; undeclared
ones (shadow AI) are left out on purpose. Every application is declared cleanly (its approved models,
data categories and environments cover what it does) except for the findings planted in `PLANTED`,
which the compliance tests expect to see reported, and nothing else.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import yaml

from sandbox import self_hosted
from sandbox.enterprise import RETIRED_APPLICATION
from sandbox.identity import display_name, team_display_name
from sandbox.server import SandboxState

PURPOSES = {
    "customer_facing": "Answers customers directly in the product or support channels.",
    "automated_decision": "Classifies or routes records without a person in the loop.",
    "internal_productivity": "Helps employees draft, summarise or search internal material.",
    "code_assistance": "Reviews and suggests code for engineers.",
    "research_experiment": "Evaluates models and prompts; not in front of customers.",
}
BUSINESS_UNITS = {
    "engineering": "technology",
    "data": "technology",
    "operations": "technology",
    "product": "product",
    "sales": "go-to-market",
    "marketing": "go-to-market",
    "customer-support": "go-to-market",
    "finance": "corporate",
    "legal": "corporate",
    "people": "corporate",
}
RETIRED_ON = date(2026, 6, 30)

# application name -> (approved models, data categories, sensitivity tier)
APPLICATIONS = {
    "support-assistant": (
        [
            "family:gpt-4.1",
            "family:gpt-4o",
            "family:claude-haiku",
            "family:gemini-2.5",
            "family:text-embedding-3",
            "family:moderation",
            "family:tts",
            "file-search",
            "vector-store",
        ],
        ["customer_personal_data"],
        "high",
    ),
    "ticket-triage": (["family:gpt-4.1"], ["customer_personal_data"], "high"),
    "sales-email-drafter": (["family:gpt-4.1"], ["internal", "customer_personal_data"], "medium"),
    "contract-reviewer": (
        ["family:gpt-4.1", "family:claude-opus", "family:claude-sonnet"],
        ["confidential"],
        "high",
    ),
    "code-review-bot": (
        [
            "family:gpt-4.1",
            "family:o-series",
            "family:claude-sonnet",
            "family:claude-haiku",
            "family:llama-3",
        ],
        ["confidential"],
        "medium",
    ),
    "search-ranker": (
        ["family:gpt-4.1", "family:text-embedding-3", "family:nova", "family:titan"],
        ["public", "internal"],
        "medium",
    ),
    "payments-fraud-notes": (
        ["family:gpt-4.1"],
        ["customer_personal_data", "special_category_payment"],
        "critical",
    ),
    "analytics-sql-helper": (
        [
            "family:gpt-4.1",
            "family:claude-sonnet",
            "family:gemini-2.5",
            "family:llama-3",
            "code-interpreter",
        ],
        ["internal", "confidential"],
        "medium",
    ),
    "ml-eval-harness": (
        ["family:gpt-4o", "family:o-series", "family:llama-3"],
        ["public", "internal"],
        "low",
    ),
    "doc-summarizer": (["family:gpt-4.1", "family:gpt-4o"], ["internal", "confidential"], "medium"),
    "mobile-chat": (
        ["family:gpt-4.1", "family:moderation"],
        ["customer_personal_data"],
        "high",
    ),
    "growth-copywriter": (["family:gpt-4.1", "family:gpt-image"], ["public", "internal"], "low"),
    "brand-image-briefs": (["family:gpt-4.1", "family:gpt-image"], ["public", "internal"], "low"),
    "fpa-forecast-narrator": (["family:gpt-4.1"], ["confidential"], "high"),
    "invoice-extractor": (
        ["family:gpt-4.1"],
        ["confidential", "special_category_payment"],
        "high",
    ),
    "privacy-dsar-helper": (["family:gpt-4.1"], ["customer_personal_data"], "high"),
    "recruiting-screener": (["family:gpt-4.1"], ["customer_personal_data"], "high"),
    "hr-policy-bot": (["family:gpt-4.1"], ["internal"], "low"),
    "it-helpdesk-bot": (["family:gpt-4.1"], ["internal"], "low"),
    "security-alert-summarizer": (
        ["family:o-series", "family:claude-haiku"],
        ["confidential"],
        "medium",
    ),
    "design-critique": (["family:gpt-4o"], ["internal"], "low"),
    "product-feedback-miner": (
        [
            "family:gpt-4.1",
            "family:text-embedding-3",
            "family:gemini-2.5",
            "family:gemini-embedding",
            "vector-store",
        ],
        ["internal"],
        "medium",
    ),
    "emea-proposal-writer": (["family:gpt-4.1"], ["confidential"], "medium"),
    "americas-call-notes": (
        ["family:gpt-4.1", "family:whisper"],
        ["internal", "customer_personal_data"],
        "medium",
    ),
}

# The findings planted on purpose; everything else is declared so that it is clean.
PLANTED = {
    # design-critique uses gpt-4o, approved only for gpt-4.1 until the exception expires
    "design-critique": {"approved_models": ["family:gpt-4.1"]},
    # growth-copywriter uses gpt-4o too, under an exception that is still valid
    "growth-copywriter": {"approved_models": ["family:gpt-4.1", "family:gpt-image"]},
    # payments-fraud-notes runs a staging project but is approved for production only
    "payments-fraud-notes": {"environments": ["production"]},
    # code-review-bot's telemetry captures prompts (some spans carry content) though it forbids it
    "code-review-bot": {"prompt_logging_allowed": False},
}
# gpt-4.1-nano is not allowed in front of customers: search-ranker (customer facing) uses it.
# claude-opus-4-1 is under review: contract-reviewer uses it.
# google_vertex's terms exclude customer personal data: support-assistant sends it there.
# brand-image-briefs is retired on RETIRED_ON and one key still works.
# analytics-sql-helper pastes customers' emails and card numbers into its prompts (internal and
# confidential declared; the self-hosted Llama is not cleared for personal or payment data), and
# contract-reviewer sends IBANs (confidential declared): sandbox/prompt_content.py.
# rule -> the applications the warehouse must report for it, and no others
PLANTED_APPLICATION_FINDINGS = {
    "model_not_approved_for_application": {"app-design-critique", "app-growth-copywriter"},
    "model_not_reviewed": {"app-contract-reviewer"},
    "use_category_not_allowed_for_model": {"app-search-ranker"},
    "data_category_not_allowed": {"app-support-assistant"},
    "prompt_logging_forbidden": {"app-code-review-bot"},
    "environment_not_approved": {"app-payments-fraud-notes"},
    "retired_application_in_use": {"app-brand-image-briefs"},
    "observed_data_category_not_allowed": {"app-analytics-sql-helper", "app-contract-reviewer"},
}

MODEL_FAMILIES = {
    "gpt-4.1": (["gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano"], ["openai", "azure_openai"]),
    "gpt-4o": (["gpt-4o"], ["openai", "azure_openai"]),
    "o-series": (["o4-mini"], ["openai"]),
    "gpt-image": (["gpt-image-1"], ["openai"]),
    "text-embedding-3": (
        ["text-embedding-3-small", "text-embedding-3-large"],
        ["openai", "azure_openai"],
    ),
    "moderation": (["omni-moderation-latest"], ["openai"]),
    "tts": (["tts-1"], ["openai"]),
    "whisper": (["whisper-1"], ["openai"]),
    "claude-opus": (["claude-opus-4-1"], ["anthropic", "aws_bedrock"]),
    "claude-sonnet": (["claude-sonnet-4-5"], ["anthropic", "aws_bedrock"]),
    "claude-haiku": (["claude-haiku-4-5"], ["anthropic", "aws_bedrock"]),
    "gemini-2.5": (["gemini-2.5-pro", "gemini-2.5-flash"], ["google_vertex"]),
    "gemini-embedding": (["text-embedding-005"], ["google_vertex"]),
    "nova": (["nova-pro", "nova-lite"], ["aws_bedrock"]),
    "titan": (["titan-embed-text"], ["aws_bedrock"]),
    "llama-3": (["llama-3-3-70b-instruct", "llama3-3-70b-instruct"], ["aws_bedrock", "vllm"]),
}
TOOLS = {
    "code-interpreter": "code-interpreter",
    "file-search": "file-search",
    "vector-store": "vector-store",
}
USE_CATEGORIES = list(PURPOSES)
DATA_CATEGORIES = [
    "public",
    "internal",
    "confidential",
    "customer_personal_data",
    "special_category_health",
    "special_category_payment",
]
MODEL_OVERRIDES = {
    "gpt-4.1-nano": {
        "allowed_use_categories": [u for u in USE_CATEGORIES if u != "customer_facing"]
    },
    "claude-opus-4-1": {"review_status": "under_review"},
    # the self-hosted Llama is cleared for the data of the applications that use it, not for more
    **{
        llama: {"allowed_data_categories": ["public", "internal", "confidential"]}
        for llama in ("llama-3-3-70b-instruct", "llama3-3-70b-instruct")
    },
}
PROVIDERS = {
    "openai": (["us"], DATA_CATEGORIES, "zero data retention (enterprise agreement)"),
    "anthropic": (["us"], DATA_CATEGORIES, "zero data retention (enterprise agreement)"),
    "aws_bedrock": (["us-east-1", "us-west-2"], DATA_CATEGORIES, "no retention by the provider"),
    "azure_openai": (["westeurope", "eastus"], DATA_CATEGORIES, "abuse monitoring opted out"),
    "google_vertex": (
        ["us-central1", "europe-west4"],
        ["public", "internal", "confidential"],
        "zero data retention not yet contracted",
    ),
    "litellm": (["self-hosted"], DATA_CATEGORIES, "spend logs without prompts"),
    "otel": (["self-hosted"], DATA_CATEGORIES, "traces kept 30 days"),
    "vllm": (["self-hosted"], DATA_CATEGORIES, "self-hosted; nothing leaves the network"),
}
CONTROLS = {
    "model_not_approved_for_application": [
        ("eu_ai_act", "Art. 26(1)"),
        ("iso_42001", "A.6.2.2"),
        ("nist_ai_rmf", "GOVERN 1.6"),
    ],
    "model_not_reviewed": [
        ("eu_ai_act", "Art. 9"),
        ("iso_42001", "A.6.2.4"),
        ("nist_ai_rmf", "MAP 4.1"),
    ],
    "use_category_not_allowed_for_model": [
        ("eu_ai_act", "Art. 6"),
        ("iso_42001", "A.9.4"),
        ("nist_ai_rmf", "MAP 1.1"),
    ],
    "data_category_not_allowed": [
        ("eu_ai_act", "Art. 10"),
        ("iso_42001", "A.7.2"),
        ("nist_ai_rmf", "MAP 4.2"),
    ],
    "prompt_logging_forbidden": [
        ("eu_ai_act", "Art. 12"),
        ("iso_42001", "A.7.5"),
        ("nist_ai_rmf", "MANAGE 2.4"),
    ],
    "usage_by_inactive_person": [
        ("eu_ai_act", "Art. 26(2)"),
        ("iso_42001", "A.3.2"),
        ("nist_ai_rmf", "GOVERN 2.1"),
    ],
    "shadow_credential": [
        ("eu_ai_act", "Art. 26(1)"),
        ("iso_42001", "A.6.2.6"),
        ("nist_ai_rmf", "GOVERN 1.6"),
    ],
    "environment_not_approved": [
        ("eu_ai_act", "Art. 15"),
        ("iso_42001", "A.6.2.5"),
        ("nist_ai_rmf", "MANAGE 1.3"),
    ],
    "retired_application_in_use": [
        ("eu_ai_act", "Art. 26(5)"),
        ("iso_42001", "A.6.2.7"),
        ("nist_ai_rmf", "GOVERN 1.7"),
    ],
    "paid_seat_held_by_inactive_person": [
        ("iso_42001", "A.4.4"),
        ("nist_ai_rmf", "GOVERN 6.1"),
    ],
    "observed_data_category_not_allowed": [
        ("eu_ai_act", "Art. 10(2)"),
        ("iso_42001", "A.7.3"),
        ("nist_ai_rmf", "MEASURE 2.10"),
    ],
}
POLICY_TEXT = {
    "model_not_approved_for_application": (
        "high",
        "An application uses a model it is not approved for.",
    ),
    "model_not_reviewed": ("high", "A model that is not reviewed (or is prohibited) is in use."),
    "use_category_not_allowed_for_model": (
        "high",
        "A model is used for a use category its review does not allow.",
    ),
    "data_category_not_allowed": (
        "critical",
        "An application sends a data category its model or provider terms do not allow.",
    ),
    "prompt_logging_forbidden": (
        "medium",
        "Prompts are recorded for an application whose controls forbid prompt logging.",
    ),
    "usage_by_inactive_person": (
        "high",
        "A credential owned by a departed or suspended person is still in use.",
    ),
    "shadow_credential": ("medium", "Usage from a credential that no application declares."),
    "environment_not_approved": (
        "medium",
        "An application runs in an environment it is not approved for.",
    ),
    "retired_application_in_use": ("medium", "A retired application is still in use."),
    "paid_seat_held_by_inactive_person": (
        "high",
        "A paid AI tool seat is still assigned to a person who left or is suspended.",
    ),
    "observed_data_category_not_allowed": (
        "high",
        "Prompts carry sensitive data of a category the application has not declared, or that"
        " its model or provider does not allow.",
    ),
}
EXCEPTIONS = [
    {
        "id": "EXC-001",
        "policy": "POL-001",
        "application": "app-design-critique",
        "model": "gpt-4o",
        "approver": "ciso@example-corp.com",
        "reason": "Design critique trial of gpt-4o while the gpt-4.1 prompts are rewritten.",
        "ticket": "GRC-1042",
        "starts_on": "2026-07-01",
        "expires_on": "2026-09-10",
    },
    {
        "id": "EXC-002",
        "policy": "POL-001",
        "application": "app-growth-copywriter",
        "model": "gpt-4o",
        "approver": "ciso@example-corp.com",
        "reason": "Copy quality review of gpt-4o for campaigns; approval pending model review.",
        "ticket": "GRC-1107",
        "starts_on": "2026-07-15",
        "expires_on": "2027-03-31",
    },
]

# The remediation register: one finding being worked on, one whose risk is accepted, one marked
# remediated on PLANTED_REMEDIATED_ON. The sandbox keeps using the retired application's key, so a
# run with days after that one shows the finding open again (re-raised) from the next day with
# evidence; a run that ends before it shows it remediated.
PLANTED_REMEDIATED_ON = date(2026, 9, 21)
REMEDIATION = [
    {
        "policy": "POL-004",
        "subject": "app-support-assistant",
        "status": "acknowledged",
        "ticket": "SEC-2288",
        "note": "Moving the Vertex traffic to a provider whose terms cover customer personal data.",
        "changed_at": "2026-09-05T09:30:00Z",
        "changed_by": "ciso@example-corp.com",
    },
    {
        "policy": "POL-003",
        "subject": "app-search-ranker",
        "status": "risk_accepted",
        "ticket": "GRC-1120",
        "note": "The review board accepts gpt-4.1-nano for ranking until the ranker is replaced.",
        "changed_at": "2026-09-08T14:00:00Z",
        "changed_by": "ciso@example-corp.com",
    },
    {
        "policy": "POL-009",
        "subject": "app-brand-image-briefs",
        "status": "remediated",
        "ticket": "SEC-2301",
        "note": "The retired application's last key was to be revoked.",
        "changed_at": f"{PLANTED_REMEDIATED_ON.isoformat()}T16:00:00Z",
        "changed_by": "ciso@example-corp.com",
    },
]
REMEDIATION_SLA_DAYS = {"critical": 7, "high": 30, "medium": 90, "low": 180}

# Monthly budgets: every team gets a generous allowance (several times its run-rate, spikes and
# growth included) except the planted team, whose budget (in EUR) sits well below what its API use
# and seats cost each month, so its run-rate forecast is over budget in every month, the latest too.
TEAM_BUDGET_USD = "60000"
PLANTED_OVER_BUDGET = ("team", "sales-emea")
OVER_BUDGET_EUR = "900"
APPLICATION_BUDGETS_USD = {"app-support-assistant": "40000", "app-code-review-bot": "60000"}
BUDGETS_FROM = "2026-01-01"


def budgets(teams: list[dict], applications: list[dict]) -> list[dict]:
    def budget(scope: str, scope_id: str, amount: str, currency: str, owner: str) -> dict:
        return {
            "scope": scope,
            "id": scope_id,
            "amount_per_month": amount,
            "currency": currency,
            "starts_on": BUDGETS_FROM,
            "owner": owner,
        }

    owners = {t["id"]: t["owner"] for t in teams}
    app_owners = {a["id"]: owners[a["owning_team"]] for a in applications}
    planted = [t for t in teams if ("team", t["id"]) == PLANTED_OVER_BUDGET]
    return [
        *(
            budget("team", t["id"], OVER_BUDGET_EUR, "EUR", t["owner"])
            if t in planted
            else budget("team", t["id"], TEAM_BUDGET_USD, "USD", t["owner"])
            for t in teams
        ),
        *(
            budget("application", app, amount, "USD", app_owners[app])
            for app, amount in APPLICATION_BUDGETS_USD.items()
        ),
    ]


def build(state: SandboxState) -> dict[str, dict]:
    enterprise = state.enterprise
    teams = []
    for team in enterprise.teams:
        members = [p for p in enterprise.people if p.team_id == team.team_id]
        teams.append(
            {
                "id": team.team_id,
                "name": team_display_name(team.team_id),
                "department": team.department,
                "business_unit": BUSINESS_UNITS[team.department],
                "cost_center": team.cost_center_id,
                "owner": members[0].email,
            }
        )
    environments = {p.project_id: p.environment for p in enterprise.projects}
    credentials: dict[str, list[dict]] = {}
    for provider in state.providers:
        for c in provider.declared_credentials():
            credentials.setdefault(c["application_id"], []).append(
                {
                    "provider": c["provider"],
                    "kind": c["kind"],
                    "id": c["id"],
                    "environment": environments.get(c["id"], "production")
                    if c["provider"] == "openai"
                    else "production",
                }
            )
    applications = []
    for app in enterprise.applications:
        if not app.declared:
            continue
        approved, data_categories, tier = APPLICATIONS[app.name]
        planted = PLANTED.get(app.name, {})
        app_environments = sorted({c["environment"] for c in credentials[app.application_id]})
        retired = app.name == RETIRED_APPLICATION
        applications.append(
            {
                "id": app.application_id,
                "name": display_name(app.name, title=False),
                "owning_team": app.owning_team_id,
                "business_purpose": PURPOSES[app.use_category],
                "use_category": app.use_category,
                "environments": planted.get("environments", app_environments),
                "data_categories": data_categories,
                "sensitivity_tier": tier,
                "approved_models": planted.get("approved_models", approved),
                "controls": {
                    "prompt_logging_allowed": planted.get("prompt_logging_allowed", True),
                    "human_review_required": app.use_category == "automated_decision",
                    "approved_regions": [],
                },
                "lifecycle_status": "retired" if retired else "production",
                "approval_reference": f"AIRB-{2025}-{len(applications) + 1:03d}",
                "approved_on": "2025-06-01",
                **({"retired_on": RETIRED_ON.isoformat()} if retired else {}),
                "credentials": sorted(
                    credentials[app.application_id], key=lambda c: (c["provider"], c["id"])
                ),
            }
        )
    models = [
        {
            "id": model_id,
            "family": family,
            "providers": providers,
            "review_status": "approved",
            "allowed_use_categories": USE_CATEGORIES,
            "allowed_data_categories": DATA_CATEGORIES,
            **MODEL_OVERRIDES.get(model_id, {}),
        }
        for family, (ids, providers) in MODEL_FAMILIES.items()
        for model_id in ids
    ]
    for tool, family in TOOLS.items():
        models.append(
            {
                "id": tool,
                "family": family,
                "kind": "tool",
                "providers": ["openai"],
                "review_status": "approved",
                "allowed_use_categories": USE_CATEGORIES,
                "allowed_data_categories": DATA_CATEGORIES,
            }
        )
    provider_terms = [
        {
            "id": provider,
            "hosting_regions": regions,
            "allowed_data_categories": categories,
            "retention": retention,
        }
        for provider, (regions, categories, retention) in PROVIDERS.items()
    ]
    policies = [
        {
            "id": f"POL-{n:03d}",
            "rule": rule,
            "severity": POLICY_TEXT[rule][0],
            "description": POLICY_TEXT[rule][1],
            "controls": [{"framework": f, "reference": r} for f, r in controls],
        }
        for n, (rule, controls) in enumerate(CONTROLS.items(), start=1)
    ]
    return {
        "teams.yml": {
            "teams": teams,
            "cost_centers": [
                {
                    "id": team.cost_center_id,
                    "name": f"{display_name(team.department)} / {team_display_name(team.team_id)}",
                }
                for team in sorted(enterprise.teams, key=lambda t: int(t.cost_center_id[3:]))
            ],
        },
        "applications.yml": {"applications": applications},
        "models.yml": {"providers": provider_terms, "models": models},
        "policies.yml": {"policies": policies},
        "exceptions.yml": {"exceptions": EXCEPTIONS},
        "budgets.yml": {"budgets": budgets(teams, applications)},
        "remediation.yml": {"entries": REMEDIATION},
        "remediation_sla.yml": {"days": REMEDIATION_SLA_DAYS},
        "self_hosted.yml": self_hosted.governance(),
    }


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("governance")
    header = "# Generated for the sandbox enterprise by `python -m sandbox.governance_example`.\n"
    for name, content in build(SandboxState()).items():
        (target / name).write_text(header + yaml.safe_dump(content, sort_keys=False, width=100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
