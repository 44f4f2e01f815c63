"""Write a starter governance set for a real enterprise: `python -m governance.init DIR [--force]`.

One team and one application to rename, provider terms and two reviewed models to extend, the
project's policies, thresholds, catalog price fixes and remediation days as shipped, and empty
exceptions, budgets, FX rates, seat prices, aliases and remediation register. None of the sandbox
enterprise's teams, applications, exceptions, remediation entries or planted findings come with
it. Point AIUW_GOVERNANCE_DIR at DIR to use it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from connectors.errors import ConfigError
from governance.load import GOVERNANCE_DIR, load_governance

TEAMS = """\
# Every team that owns AI applications or is charged for AI use. cost_center is what chargeback
# charges (CC- and 3 to 6 digits); owner is the accountable person's email.
teams:
- id: ai-enablement
  name: AI Enablement
  department: engineering
  business_unit: technology
  cost_center: CC-1000
  owner: owner@example.com
"""

APPLICATIONS = """\
# Every application that calls AI models, with the credentials (provider projects or keys) it owns.
# Usage from a credential no application declares is reported as shadow AI (policy shadow_credential).
applications:
- id: app-first-assistant
  name: First assistant
  owning_team: ai-enablement               # a team id from teams.yml
  business_purpose: Replace with what the application does, in one sentence.
  use_category: internal_productivity      # internal_productivity, code_assistance, customer_facing,
                                           # automated_decision or research_experiment
  environments: [production]               # production, staging, development
  data_categories: [internal]              # what it sends to models (REFERENCE.md lists them)
  sensitivity_tier: medium                 # low, medium, high, critical
  approved_models: [family:gpt-4.1]        # model ids or family:<family> from models.yml
  controls:
    prompt_logging_allowed: false
    human_review_required: false
    approved_regions: []                   # empty: any region the provider's terms allow
  lifecycle_status: development            # proposed, development, production, retired
  credentials: []
  # credentials:                           # e.g. the OpenAI project it uses
  # - provider: openai
  #   kind: project
  #   id: proj_...
  #   environment: production
"""

MODELS = """\
# What each provider agreement allows, and every model reviewed for use. A model with usage that is
# missing here, under_review or prohibited is a finding (policy model_not_reviewed).
providers:
- id: openai
  hosting_regions: [us]
  allowed_data_categories: [public, internal]
  retention: Replace with the agreement's data retention terms.
- id: azure_openai
  hosting_regions: [westeurope]
  allowed_data_categories: [public, internal]
  retention: Replace with the agreement's data retention terms.
- id: anthropic
  hosting_regions: [us]
  allowed_data_categories: [public, internal]
  retention: Replace with the agreement's data retention terms.
models:
- id: gpt-4.1
  family: gpt-4.1
  providers: [openai, azure_openai]
  review_status: approved
  allowed_use_categories: [internal_productivity, code_assistance]
  allowed_data_categories: [public, internal]
- id: claude-sonnet-4
  family: claude-sonnet
  providers: [anthropic]
  review_status: under_review
"""

THRESHOLDS = """\
# Conditions that raise alerts; every section left out takes its defaults (REFERENCE.md).
cost_spikes:
- id: THR-001
  scope: application
  baseline_days: 14
  factor: '3'
  min_daily_cost: '25.00'
  severity: high
data_quality:
  severity: high
  # failed warnings (the attribution share below, row counts, trailing bounds): the release still
  # publishes and one alert says so
  warning_severity: medium
  reconciliation_max_out_of_tolerance_pct: '10'
  # A warning, never a gate: until applications.yml declares the credentials in use, each run's
  # quality alert says how much usage is not attributed to a declared application.
  min_attributed_usage_pct: '90'
"""

ALERTING = """\
# Where alerts go. The webhook URL is read from the environment; nothing is sent while it is unset.
# Add an email channel (host, port, security, from_address, to, username_env, password_env) as in
# REFERENCE.md.
channels:
  webhook:
    url_env: AIUW_ALERT_WEBHOOK_URL
routing:
  low: []
  medium: [webhook]
  high: [webhook]
  critical: [webhook]
"""

EMPTY = {
    "exceptions.yml": "# Approved exceptions to a policy: scope, approver, ticket, start and expiry.\n"
    "exceptions: []\n",
    "budgets.yml": "# Monthly budgets per team or application.\nbudgets: []\n",
    "fx_rates.yml": "# The reporting currency and dated rates for other billing currencies.\n"
    "reporting_currency: USD\nrates: []\n",
    "seat_prices.yml": "# List prices of SaaS AI tool seats per seat and month (tool, plan, price).\n"
    "prices: []\n",
    "person_aliases.yml": "# Addresses that name the same person in different identity sources.\n"
    "aliases: []\n",
    "remediation.yml": "# The status of each finding someone acted on (policy, subject, status, ticket);\n"
    "# `python -m orchestration.cli.findings import` adds a ticket export beside it.\n"
    "entries: []\n",
}

# The project's rules and the catalog's price fixes are the same for every enterprise.
SHIPPED = ("policies.yml", "price_overrides.yml", "remediation_sla.yml")


def starter_files() -> dict[str, str]:
    files = {
        "teams.yml": TEAMS,
        "applications.yml": APPLICATIONS,
        "models.yml": MODELS,
        "thresholds.yml": THRESHOLDS,
        "alerting.yml": ALERTING,
        **EMPTY,
    }
    for name in SHIPPED:
        lines = (GOVERNANCE_DIR / name).read_text().splitlines(keepends=True)
        files[name] = "".join(
            line for line in lines if not line.startswith("# Generated for the sandbox")
        )
    return dict(sorted(files.items()))


NEXT_STEPS = """\
Next:
  1. teams.yml: your teams, cost centres and owners.
  2. applications.yml: your applications, and under credentials the provider projects or keys each
     one uses (undeclared ones are reported as shadow AI).
  3. models.yml: your provider agreements and the models you have reviewed.
  4. thresholds.yml: alert thresholds; runs warn while usage is not attributed to a declared application.
  5. export AIUW_GOVERNANCE_DIR={directory}
Field reference: governance/REFERENCE.md. Check the set: python -m governance.init --check {directory}"""


def write_starter(directory: Path, *, force: bool = False) -> list[Path]:
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory} is not a directory. Fix: choose a new directory.")
    if directory.exists() and any(directory.iterdir()) and not force:
        raise ConfigError(
            f"{directory} is not empty; nothing was written. Fix: choose an empty or new "
            "directory, or pass --force to overwrite the governance files in it."
        )
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in starter_files().items():
        path = directory / name
        path.write_text(text)
        written.append(path)
    load_governance(directory)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m governance.init", description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument(
        "--force", action="store_true", help="overwrite the files in a non-empty DIR"
    )
    parser.add_argument(
        "--check", action="store_true", help="only validate DIR with the governance loader"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            governance = load_governance(args.directory)
            print(
                f"{args.directory}: valid ({len(governance.teams.teams)} team(s), "
                f"{len(governance.applications.applications)} application(s))"
            )
            return 0
        written = write_starter(args.directory, force=args.force)
    except ConfigError as error:
        print(f"governance: {error}", file=sys.stderr)
        return 2
    print(f"wrote a starter governance set to {args.directory}:")
    for path in written:
        print(f"  {path.name}")
    print(NEXT_STEPS.format(directory=args.directory.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
