"""The sources configuration: which source instances the warehouse pulls, and from where.

The file is YAML (path in `AIUW_SOURCES`, default `config/sources.sandbox.yml`). Secrets are never in
the file: each source names the environment variable that holds its secret. API sources have a base
URL; file sources (billing exports, log exports) have a path to a directory of exported files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from connectors.errors import ConfigError
from connectors.sandbox_keys import is_loopback, is_sandbox_key, refusal
from connectors.yaml_validation import load_yaml_model

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES_PATH = REPO_ROOT / "config" / "sources.sandbox.yml"
ENTITY_NAME = r"^[a-z][a-z0-9_]*$"
PUBLIC_CLOUD_AUTHORITY = "https://login.microsoftonline.com"  # Microsoft Entra's global cloud


@dataclass(frozen=True)
class SourceType:
    """Defaults of one kind of source: where it lives and which env vars override it."""

    kind: Literal["api", "files"]
    description: str
    base_url: str | None = None
    base_url_env: str | None = None
    secret_env: str | None = None
    path_env: str | None = None
    permission: str | None = None  # what a key needs to read every entity (API sources)


SOURCE_TYPES: dict[str, SourceType] = {
    "openai": SourceType(
        "api",
        "OpenAI Administration API (usage, costs, projects, keys, users)",
        "https://api.openai.com/v1",
        "OPENAI_BASE_URL",
        "OPENAI_ADMIN_KEY",
        permission="Admin API read access to usage, costs and projects",
    ),
    "anthropic": SourceType(
        "api",
        "Anthropic Admin API (usage and cost reports, Claude Code, workspaces, keys, users)",
        "https://api.anthropic.com",
        "ANTHROPIC_BASE_URL",
        "ANTHROPIC_ADMIN_KEY",
        permission="Admin API access (an sk-ant-admin key of the organization)",
    ),
    "litellm": SourceType(
        "api",
        "LiteLLM proxy spend logs through its API",
        None,
        "LITELLM_BASE_URL",
        "LITELLM_MASTER_KEY",
        permission="access to /spend/logs (the master key or an admin key)",
    ),
    "litellm_export": SourceType(
        "files", "LiteLLM spend logs exported as files", path_env="LITELLM_EXPORT_PATH"
    ),
    "aws_cur": SourceType(
        "files", "AWS CUR 2.0 / Data Exports Parquet files (Bedrock rows)", path_env="AWS_CUR_PATH"
    ),
    "aws_bedrock_invocation_logs": SourceType(
        "files",
        "Bedrock model invocation logs (JSON lines, gzip)",
        path_env="BEDROCK_INVOCATION_LOGS_PATH",
    ),
    "azure_focus": SourceType(
        "files", "Azure Cost Management FOCUS 1.2 exports", path_env="AZURE_FOCUS_PATH"
    ),
    "gcp_billing_export": SourceType(
        "files", "Google Cloud Billing export files", path_env="GCP_BILLING_EXPORT_PATH"
    ),
    "otlp_genai": SourceType(
        "files", "OpenTelemetry GenAI spans exported as OTLP JSON", path_env="OTLP_GENAI_PATH"
    ),
    "github_copilot": SourceType(
        "api",
        "GitHub Copilot seats, usage-metrics reports and premium requests (organization_id: org login)",
        "https://api.github.com",
        "GITHUB_API_URL",
        "GITHUB_TOKEN",
        permission="the manage_billing:copilot and read:org scopes",
    ),
    "m365_copilot": SourceType(
        "api",
        "Microsoft 365 Copilot usage reports through Microsoft Graph (organization_id: tenant id)",
        "https://graph.microsoft.com/v1.0",
        "GRAPH_BASE_URL",
        "ENTRA_CLIENT_SECRET",
        permission="the Reports.Read.All application permission",
    ),
    "cursor": SourceType(
        "api",
        "Cursor Admin API (team members, daily usage, usage events, spend)",
        "https://api.cursor.com",
        "CURSOR_BASE_URL",
        "CURSOR_API_KEY",
        permission="team Admin API access",
    ),
    "chatgpt_enterprise": SourceType(
        "api",
        "ChatGPT Enterprise Compliance API users (organization_id: workspace id)",
        "https://api.chatgpt.com/v1/compliance",
        "CHATGPT_COMPLIANCE_BASE_URL",
        "CHATGPT_COMPLIANCE_API_KEY",
        permission="Compliance API access to the workspace",
    ),
    "okta": SourceType(
        "api",
        "Okta Users and Groups API (base_url: the org URL; SSWS API token)",
        None,
        "OKTA_BASE_URL",
        "OKTA_API_TOKEN",
        permission="read access to users, groups and the System Log",
    ),
    "entra_id": SourceType(
        "api",
        "Microsoft Entra ID users through Microsoft Graph (organization_id: tenant id; client id in "
        "ENTRA_CLIENT_ID, authority in ENTRA_AUTHORITY_URL)",
        "https://graph.microsoft.com/v1.0",
        "GRAPH_BASE_URL",
        "ENTRA_CLIENT_SECRET",
        permission="the User.Read.All application permission",
    ),
    "google_workspace": SourceType(
        "api",
        "Google Workspace Admin SDK Directory users (a delegated service-account access token)",
        "https://admin.googleapis.com",
        "GOOGLE_ADMIN_BASE_URL",
        "GOOGLE_WORKSPACE_TOKEN",
        permission="the admin.directory.user.readonly scope",
    ),
    "scim": SourceType(
        "api",
        "Any SCIM 2.0 service provider's /Users (base_url: the SCIM root; bearer token)",
        None,
        "SCIM_BASE_URL",
        "SCIM_TOKEN",
        permission="read access to /Users",
    ),
}
SourceTypeName = Literal[
    "openai",
    "anthropic",
    "litellm",
    "litellm_export",
    "aws_cur",
    "aws_bedrock_invocation_logs",
    "azure_focus",
    "gcp_billing_export",
    "otlp_genai",
    "github_copilot",
    "m365_copilot",
    "cursor",
    "chatgpt_enterprise",
    "okta",
    "entra_id",
    "google_workspace",
    "scim",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServeSettings(Strict):
    """The served release: each published release also loaded into PostgreSQL (docs/BI.md)."""

    postgres_dsn_env: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]{1,60}$",
        description=(
            "Name of the environment variable holding the PostgreSQL connection URI "
            "(postgresql://publisher@host:5432/aiuw); the URI, and any password in it, stays out "
            "of this file."
        ),
    )
    schema_name: str = Field(
        "aiuw",
        pattern=r"^[a-z][a-z0-9_]{1,30}$",
        description="The stable schema readers query; it always holds the current release.",
    )


class WarehouseSettings(Strict):
    history_start: date = Field(description="First daily partition; backfills start here.")
    restatement_days: int = Field(
        3,
        ge=0,
        le=31,
        description="Trailing days re-pulled and rebuilt on every run, since costs are restated.",
    )
    log_retention_days: int = Field(
        365,
        ge=184,
        description=(
            "Days run logs, validation results and evidence packs are kept before `evidence prune`"
            " may delete them; at least 184 (six months, the EU AI Act's minimum for deployers'"
            " logs, Article 26(6)). The evidence ledger itself is never pruned. The restricted"
            " people mart of a release is kept as long (see warehouse.pseudonym)."
        ),
    )
    person_key_env: str = Field(
        "AIUW_PERSON_KEY",
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        description=(
            "Name of the environment variable holding the key people are hashed with in the"
            " published marts (HMAC-SHA256, at least 16 bytes); a new key rotates every person's"
            " key from the next release. Unset: a generated key under the data directory."
        ),
    )
    serve: ServeSettings | None = Field(
        None,
        description="Also serve each published release from PostgreSQL (off when absent).",
    )


class SourceOptions(Strict):
    """The `options` of a source type that takes none; each type that does declares them below."""


class GitHubCopilotOptions(SourceOptions):
    api_version: str | None = Field(
        None, description="X-GitHub-Api-Version sent with every request (the client's when unset)."
    )


class EntraAppOptions(SourceOptions):
    """The Entra app registration a Microsoft Graph source signs in with."""

    client_id: str | None = Field(None, description="The app's client id (else ENTRA_CLIENT_ID).")
    authority_url: str | None = Field(
        None, description="Sign-in authority of the tenant's cloud (else ENTRA_AUTHORITY_URL)."
    )
    tenant_id: str | None = Field(
        None, description="Tenant id when organization_id is not set (else ENTRA_TENANT_ID)."
    )

    @field_validator("authority_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {value!r}")
        return value

    def sign_in(self, source_id: str, organization_id: str | None) -> tuple[str, str, str]:
        """Tenant, client id and authority: the source's settings first, then ENTRA_TENANT_ID,
        ENTRA_CLIENT_ID and ENTRA_AUTHORITY_URL, then the public cloud's authority."""
        found = {}
        for option, env, default in (
            ("tenant_id", "ENTRA_TENANT_ID", None),
            ("client_id", "ENTRA_CLIENT_ID", None),
            ("authority_url", "ENTRA_AUTHORITY_URL", PUBLIC_CLOUD_AUTHORITY),
        ):
            found[option] = getattr(self, option) or os.environ.get(env) or default
            if option == "tenant_id":
                found[option] = organization_id or found[option]
            if not found[option]:
                where = (
                    "organization_id or options.tenant_id"
                    if option == "tenant_id"
                    else f"options.{option}"
                )
                raise ConfigError(
                    f"source {source_id!r}: no {option.replace('_', ' ')}. Fix: set {where} in the "
                    f"sources config or export {env}."
                )
        return found["tenant_id"], found["client_id"], found["authority_url"]


class EntraIdOptions(EntraAppOptions):
    copilot_service_plan_ids: str | None = Field(
        None,
        description="Comma-separated servicePlanId GUIDs that are a Microsoft 365 Copilot licence.",
    )


class GoogleWorkspaceOptions(SourceOptions):
    customer: str = Field("my_customer", description="The account's customer id.")


class ScimOptions(SourceOptions):
    page_size: int = Field(100, ge=1, le=1000, description="Users per page (SCIM count).")


SOURCE_OPTIONS: dict[str, type[SourceOptions]] = {
    "github_copilot": GitHubCopilotOptions,
    "m365_copilot": EntraAppOptions,
    "entra_id": EntraIdOptions,
    "google_workspace": GoogleWorkspaceOptions,
    "scim": ScimOptions,
}


class SourceConfig(Strict):
    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]{1,40}$", description="Stable id of this source instance."
    )
    type: SourceTypeName
    base_url: str | None = Field(
        None, description="API root (API sources); the type's public endpoint when omitted."
    )
    base_url_env: str | None = Field(None, description="Env var that overrides base_url when set.")
    secret_env: str | None = Field(
        None,
        pattern=r"^[A-Z][A-Z0-9_]*$",
        description="Env var holding this source's secret (API sources).",
    )
    path: str | None = Field(
        None,
        description="Directory of exported files (file sources); relative paths are from the repository root.",
    )
    path_env: str | None = Field(None, description="Env var that overrides path when set.")
    organization_id: str | None = Field(None, description="Provider org, account or billing id.")
    timeout_seconds: float = Field(30.0, gt=0, le=600)
    max_attempts: int = Field(6, ge=1, le=20, description="Tries per request, the first included.")
    backoff_base_seconds: float = Field(
        1.0, gt=0, le=60, description="First retry wait; doubles per attempt."
    )
    backoff_max_seconds: float = Field(
        60.0, gt=0, le=600, description="Longest wait between tries (Retry-After included)."
    )
    options: dict[str, str | int | float | bool] = Field(
        default_factory=dict,
        description="Settings of this source's type (SOURCE_OPTIONS); an unknown one is refused.",
    )
    entities: list[Annotated[str, Field(pattern=ENTITY_NAME)]] | None = Field(
        None,
        min_length=1,
        description="The only entities this source pulls (folder names under data/landing/<type>/); all when omitted.",
    )
    exclude_entities: list[Annotated[str, Field(pattern=ENTITY_NAME)]] = Field(
        default_factory=list,
        description="Entities this source does not pull, e.g. endpoints its account does not serve.",
    )
    enabled: bool = True

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {value!r}")
        return value

    @model_validator(mode="after")
    def _fits_its_kind(self) -> SourceConfig:
        kind = SOURCE_TYPES[self.type]
        if kind.kind == "api" and not (self.secret_env or kind.secret_env):
            raise ValueError(f"source {self.id!r} of type {self.type} needs secret_env")
        if kind.kind == "api" and self.path:
            raise ValueError(
                f"source {self.id!r} is an API source ({self.type}); use base_url, not path"
            )
        if kind.kind == "files" and (self.base_url or self.secret_env):
            raise ValueError(
                f"source {self.id!r} is a file source ({self.type}); use path, not base_url/secret_env"
            )
        if kind.kind == "files" and not (self.path or self.path_env or kind.path_env):
            raise ValueError(f"source {self.id!r} of type {self.type} needs path")
        allowed = SOURCE_OPTIONS.get(self.type, SourceOptions)
        try:
            allowed.model_validate(self.options)
        except ValidationError as error:
            names = ", ".join(allowed.model_fields) or "none"
            problems = "; ".join(
                f"options.{'.'.join(str(part) for part in e['loc'])}: {e['msg']}"
                for e in error.errors()
            )
            raise ValueError(
                f"source {self.id!r} ({self.type}): {problems} (options of {self.type}: {names})"
            ) from None
        if self.entities is not None and self.exclude_entities:
            raise ValueError(
                f"source {self.id!r} sets both entities and exclude_entities; keep one of them"
            )
        return self

    @property
    def settings(self) -> SourceOptions:
        """The options, typed and with their defaults (validated when the config loaded)."""
        return SOURCE_OPTIONS.get(self.type, SourceOptions).model_validate(self.options)

    def http_options(self) -> dict:
        """What every client takes from the source: its id (for logs) and the retry and timeout
        settings."""
        return {
            "source_id": self.id,
            "timeout": self.timeout_seconds,
            "max_attempts": self.max_attempts,
            "backoff_base": self.backoff_base_seconds,
            "backoff_max": self.backoff_max_seconds,
        }

    def pulls(self, entity: str) -> bool:
        """Whether this source pulls the entity, by its `entities` / `exclude_entities`."""
        if self.entities is not None and entity not in self.entities:
            return False
        return entity not in self.exclude_entities

    @property
    def source_type(self) -> SourceType:
        return SOURCE_TYPES[self.type]

    @property
    def secret_env_name(self) -> str | None:
        return self.secret_env or self.source_type.secret_env

    def resolved_base_url(self) -> str:
        env_name = self.base_url_env or self.source_type.base_url_env
        url = (env_name and os.environ.get(env_name)) or self.base_url or self.source_type.base_url
        if not url:
            raise ConfigError(
                f"source {self.id!r}: no base_url. Fix: set base_url in the sources config or {env_name}."
            )
        return url

    def resolved_path(self) -> Path:
        env_name = self.path_env or self.source_type.path_env
        value = (env_name and os.environ.get(env_name)) or self.path
        if not value:
            raise ConfigError(
                f"source {self.id!r}: no path. Fix: set path in the sources config or {env_name}."
            )
        path = Path(value.removeprefix("file://"))
        return path if path.is_absolute() else REPO_ROOT / path

    def secret(self) -> str:
        name = self.secret_env_name
        value = os.environ.get(name) if name else None
        if not value:
            raise ConfigError(
                f"source {self.id!r}: environment variable {name} is not set. "
                f"Fix: export {name}=<the {self.type} secret> before running."
            )
        return value


class SourcesConfig(Strict):
    warehouse: WarehouseSettings
    sources: list[SourceConfig] = Field(min_length=1)
    path: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _unique_ids(self) -> SourcesConfig:
        seen: set[str] = set()
        for source in self.sources:
            if source.id in seen:
                raise ValueError(f"source id {source.id!r} is declared twice; ids must be unique")
            seen.add(source.id)
        return self

    def of_type(self, source_type: str) -> list[SourceConfig]:
        return [s for s in self.sources if s.type == source_type and s.enabled]

    def check_secrets(self) -> None:
        """Fail, naming every missing env var, if an enabled API source has no secret set; and,
        naming source, host and env var, if a sandbox key would go to a base_url outside loopback
        (the clients refuse it too, request by request: connectors/sandbox_keys.py)."""
        missing = [
            s
            for s in self.sources
            if s.enabled and s.secret_env_name and not os.environ.get(s.secret_env_name)
        ]
        if missing:
            where = self.path or "sources config"
            lines = [f"{where}: source {s.id!r} needs env var {s.secret_env_name}" for s in missing]
            raise ConfigError(
                "missing secrets:\n  " + "\n  ".join(lines) + "\nFix: export them before running."
            )
        refused = []
        for s in self.sources:
            if not (s.enabled and s.secret_env_name):
                continue
            host = self._host(s)
            if host and not is_loopback(host) and is_sandbox_key(os.environ[s.secret_env_name]):
                refused.append(str(refusal(s.id, host, [s.secret_env_name])))
        if refused:
            raise ConfigError(f"{self.path or 'sources config'}:\n  " + "\n  ".join(refused))

    @staticmethod
    def _host(source: SourceConfig) -> str | None:
        try:
            return urlsplit(source.resolved_base_url()).hostname
        except ConfigError:
            return None  # no URL, so nothing is sent; the run names the missing base_url


def sources_path() -> Path:
    return Path(os.environ.get("AIUW_SOURCES") or DEFAULT_SOURCES_PATH)


def load_sources(path: Path | None = None) -> SourcesConfig:
    path = path or sources_path()
    config = load_yaml_model(path, SourcesConfig, what="sources config")
    return config.model_copy(update={"path": path})
