"""Validation models for the governance YAML files. Errors name file, line, field and a fix."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

UseCategory = Literal[
    "internal_productivity",
    "code_assistance",
    "customer_facing",
    "automated_decision",
    "research_experiment",
]
LifecycleStatus = Literal["proposed", "development", "production", "retired"]
CredentialKind = Literal["project", "api_key"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Team(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$", description="Stable team id.")
    name: str
    department: str = Field(description="Department or business unit the team belongs to.")
    cost_center: str = Field(
        pattern=r"^CC-[0-9]{3,6}$", description="Cost centre charged for the team's usage."
    )
    owner: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="Email of the accountable owner.")


class TeamsFile(Strict):
    teams: list[Team] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> TeamsFile:
        ids = [t.id for t in self.teams]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"team ids declared more than once: {', '.join(duplicates)}")
        return self


Provider = Literal[
    "openai", "anthropic", "aws_bedrock", "azure_openai", "google_vertex", "litellm", "otel"
]


class Credential(Strict):
    """A credential an application owns. Per provider, `project` and `api_key` name:

    - openai: project id / API key id; anthropic: workspace id / API key id;
    - aws_bedrock: AWS account id / inference profile or IAM principal;
    - azure_openai: subscription id / Azure OpenAI account ResourceId (lower case);
    - google_vertex: GCP project id / (unused);
    - litellm: LiteLLM team id / hashed virtual key; otel: service.name / (unused).
    """

    provider: Provider
    kind: CredentialKind = Field(
        description="What the id names: the provider's project-level container, or one key."
    )
    id: str


class Application(Strict):
    id: str = Field(pattern=r"^app-[a-z0-9-]+$", description="Stable application id.")
    name: str
    owning_team: str = Field(description="Team id from teams.yml.")
    business_purpose: str
    use_category: UseCategory
    lifecycle_status: LifecycleStatus
    approved_on: date | None = None
    credentials: list[Credential] = Field(default_factory=list)


class ApplicationsFile(Strict):
    applications: list[Application] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ApplicationsFile:
        ids = [a.id for a in self.applications]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"application ids declared more than once: {', '.join(duplicates)}")
        owners: dict[tuple[str, str, str], str] = {}
        for app in self.applications:
            for c in app.credentials:
                key = (c.provider, c.kind, c.id)
                if key in owners and owners[key] != app.id:
                    raise ValueError(
                        f"credential {c.provider}/{c.kind}/{c.id} is declared by both {owners[key]} and {app.id}"
                    )
                owners[key] = app.id
        return self
