"""What people read instead of ids: names from governance for teams, cost centres and applications,
undeclared credentials labelled as such with a short id, tools apart from models, and column headers
in words. Every lookup falls back to the id when the release has no name for it."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

PROVIDERS = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "aws_bedrock": "AWS Bedrock",
    "azure_openai": "Azure OpenAI",
    "google_vertex": "Google Vertex AI",
    "litellm": "LiteLLM",
    "otel": "OpenTelemetry",
    "vllm": "vLLM",
}
TOOLS = {
    "github_copilot": "GitHub Copilot",
    "cursor": "Cursor",
    "chatgpt_enterprise": "ChatGPT Enterprise",
    "m365_copilot": "Microsoft 365 Copilot",
}
# words a slug keeps in capitals, and frameworks by their usual names
WORDS = {"ai": "AI", "id": "ID", "eu": "EU", "iso": "ISO", "nist": "NIST", "rmf": "RMF"}
FRAMEWORKS = {"eu_ai_act": "EU AI Act", "iso_42001": "ISO/IEC 42001", "nist_ai_rmf": "NIST AI RMF"}
SHORT_ID, READABLE_ID = 8, 24


def short_id(value: str) -> str:
    """The part of a long id a person can tell apart: an Azure resource's name, a key's kind and its
    first characters (`apikey_0113eSSD…`, `1a4d76e9…`); short ids stay whole."""
    tail = value.rstrip("/").rsplit("/", 1)[-1]
    if len(tail) <= READABLE_ID:
        return tail
    kind, _, token = tail.rpartition("_")
    prefix = f"{kind}_" if kind and len(kind) <= SHORT_ID else ""
    return f"{prefix}{token[:SHORT_ID]}…"


def vendor_name(vendor: str) -> str:
    """An AI provider or a SaaS tool by its product name: `aws_bedrock` -> `AWS Bedrock`."""
    return PROVIDERS.get(vendor) or TOOLS.get(vendor) or vendor


def words(slug: str | None) -> str:
    """`model_not_reviewed` -> `model not reviewed`; `eu_ai_act` -> `EU AI Act`."""
    if slug is None:
        return ""
    if slug in FRAMEWORKS:
        return FRAMEWORKS[slug]
    return " ".join(WORDS.get(w, w) for w in slug.replace("-", "_").split("_"))


@dataclass
class DisplayNames:
    teams: dict[str, str] = field(default_factory=dict)
    cost_centers: dict[str, str] = field(default_factory=dict)
    applications: dict[str, str] = field(default_factory=dict)
    tools: set[str] = field(default_factory=set)
    # (gateway, application key) -> application id, for keys governance declares
    gateway_keys: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> DisplayNames:
        columns: dict[str, set[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns"
        ).fetchall():
            columns.setdefault(table, set()).add(column)
        names = cls()
        if {"team_id", "team_name"} <= columns.get("dim_team", set()):
            names.teams = dict(con.execute("select team_id, team_name from dim_team").fetchall())
        if "cost_center_name" in columns.get("dim_team", set()):
            names.cost_centers = dict(
                con.execute(
                    "select distinct cost_center_id, cost_center_name from dim_team "
                    "where cost_center_name is not null"
                ).fetchall()
            )
        if "dim_application" in columns:
            names.applications = dict(
                con.execute(
                    "select application_id, application_name from dim_application"
                ).fetchall()
            )
        if "model_kind" in columns.get("dim_model", set()):
            names.tools = {
                m
                for (m,) in con.execute(
                    "select model_id from dim_model where model_kind = 'tool'"
                ).fetchall()
            }
        if "dim_credential" in columns:
            rows = con.execute(
                "select credential_provider, project_id, credential_id, application_id, is_declared "
                "from dim_credential"
            ).fetchall()
            for provider, project, credential, application, declared in rows:
                if declared and application and provider in ("litellm", "otel"):
                    for key in (project, credential):
                        if key:
                            names.gateway_keys[(provider, key)] = application
        return names

    def team(self, team_id: str | None) -> str:
        return self.teams.get(team_id, team_id) if team_id else "no team"

    def cost_center(self, cost_center_id: str | None) -> str:
        if not cost_center_id:
            return "no cost centre"
        name = self.cost_centers.get(cost_center_id)
        return f"{name} ({cost_center_id})" if name else cost_center_id

    def application(self, application_id: str | None) -> str:
        return self.applications.get(application_id, application_id) if application_id else "none"

    def provider(self, provider: str | None) -> str:
        return PROVIDERS.get(provider, provider) if provider else ""

    def credential(self, subject: str, application_id: str | None = None) -> str:
        """`openai:key_5a07…` of an application -> `OpenAI credential key_5a07… (Invoice extractor)`;
        one no application declares -> `undeclared LiteLLM credential 1a4d76e9…`."""
        provider, _, key = subject.partition(":")
        label = f"{self.provider(provider)} credential {short_id(key or provider)}"
        return (
            f"{label} ({self.application(application_id)})"
            if application_id
            else f"undeclared {label}"
        )

    def subject(self, subject_type: str, subject_id: str, application_id: str | None) -> str:
        """A finding's subject: an application by name, a credential by provider and short id, a
        seat by tool and holder."""
        if subject_type == "application":
            return self.application(subject_id)
        if subject_type == "credential":
            return self.credential(subject_id, application_id)
        if subject_type == "seat":
            tool, _, holder = subject_id.partition(":")
            return f"{TOOLS.get(tool, tool)} seat of {holder}"
        return subject_id

    def gateway_application(self, gateway: str, key: str) -> str:
        application = self.gateway_keys.get((gateway, key))
        if application:
            return self.application(application)
        return f"undeclared {self.provider(gateway)} {'service' if gateway == 'otel' else 'key'} {short_id(key)}"

    def is_tool(self, model_id: str) -> bool:
        return model_id in self.tools

    def model(self, model_id: str | None) -> str:
        if not model_id:
            return "unknown"
        return f"{words(model_id)} (tool)" if self.is_tool(model_id) else model_id

    def models(self, model_ids: str | list[str] | None) -> str:
        """Models first, then the tools among them: `gpt-4.1, o4-mini; tools: file search`."""
        ids = model_ids.split(",") if isinstance(model_ids, str) else list(model_ids or [])
        models = [m for m in ids if m and not self.is_tool(m)]
        tools = [words(m) for m in ids if m and self.is_tool(m)]
        shown = ", ".join(models) or "no model"
        return f"{shown}; tools: {', '.join(tools)}" if tools else shown


HEADERS = {
    "usage_date": "Day",
    "application_id": "Application",
    "team_id": "Team",
    "cost": "Invoiced",
    "baseline": "7-day average",
    "increase": "Jump",
    "models": "Models and tools",
    "scope": "Budget for",
    "scope_name": "Name",
    "budget_amount": "Budget",
    "month_to_date_cost": "Spent",
    "forecast_month_end_cost": "Forecast",
    "forecast_variance_pct": "Over budget (%)",
    "cost_center_id": "Cost centre",
    "usage_cost": "Usage",
    "seat_cost": "Seats",
    "total_cost": "Total",
    "tool": "Tool",
    "seat_holder_email": "Seat holder",
    "person_status": "Person",
    "plan": "Plan",
    "list_price_per_seat_month": "List price a month",
    "currency_code": "Currency",
    "last_activity_date": "Last active",
    "opportunity_kind": "Opportunity",
    "currency": "Currency",
    "opportunities": "Count",
    "estimated_monthly_saving": "Saving a month",
    "gateway": "Gateway",
    "application_key": "Application",
    "requests": "Requests",
    "failures": "Failures",
    "fallbacks": "Fallbacks",
    "failure_pct": "Failed (%)",
    "worst_daily_p95_ms": "Worst daily p95 (ms)",
    "provider": "Provider",
    "model_id": "Model",
    "applications": "Applications",
    "tokens": "Tokens",
    "policy_id": "Policy",
    "rule": "Finding",
    "severity": "Severity",
    "subject": "Subject",
    "status": "Status",
    "first_day": "Since",
    "last_day": "Last seen",
    "exception_id": "Exception",
    "subject_id": "Subject",
    "excepted_from": "Excepted from",
    "excepted_until": "Excepted until",
    "reraised_from": "Raised again from",
    "expires_on": "Expires",
    "person_id": "Person",
    "credential_ids": "Credentials",
    "first_date": "First day",
    "last_date": "Last day",
    "active_days": "Days active",
    "request_count": "Requests",
    "requests_seen": "Requests",
    "framework": "Framework",
    "control_reference": "Control",
    "is_enabled": "Enabled",
    "evaluated_through_date": "Evaluated through",
    "month": "Month",
    "spend": "Invoiced",
    "run_rate": "Month's run rate",
    "change": "Change",
    "days_covered": "Days of data",
    "data_category": "Data category",
    "tokens_this_month": "Tokens this month",
    "tokens_month_before": "Tokens the month before",
    "models_this_month": "Models this month",
    "open_findings": "Open at month end",
    "open_before": "Open a month before",
    "opened": "Opened in the month",
}


def header(column: str) -> str:
    """A column's header in words; an unlisted column falls back to its name without underscores."""
    return HEADERS.get(column) or words(column).capitalize()
