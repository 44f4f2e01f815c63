"""The sources configuration: which source instances the warehouse pulls, and from where.

The file is YAML (path in `AIUW_SOURCES`, default `config/sources.sandbox.yml`). Secrets are never in
the file: each source names the environment variable that holds its secret.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.errors import ConfigError
from connectors.yaml_validation import load_yaml_model

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES_PATH = REPO_ROOT / "config" / "sources.sandbox.yml"

# Per source type: the public endpoint, and the env vars that override URL and hold the secret.
SOURCE_TYPES = {
    "openai": {
        "base_url": "https://api.openai.com/v1",
        "base_url_env": "OPENAI_BASE_URL",
        "secret_env": "OPENAI_ADMIN_KEY",
    },
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WarehouseSettings(Strict):
    history_start: date = Field(description="First daily partition; backfills start here.")
    restatement_days: int = Field(
        3,
        ge=0,
        le=31,
        description="Trailing days re-pulled and rebuilt on every run, since costs are restated.",
    )


class SourceConfig(Strict):
    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]{1,40}$", description="Stable id of this source instance."
    )
    type: Literal["openai"]
    base_url: str | None = Field(
        None, description="API root; the type's public endpoint when omitted."
    )
    base_url_env: str | None = Field(None, description="Env var that overrides base_url when set.")
    secret_env: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]*$", description="Env var holding this source's secret."
    )
    organization_id: str | None = Field(
        None, description="Provider org or account id, sent where the API takes it."
    )
    timeout_seconds: float = Field(30.0, gt=0, le=600)
    max_attempts: int = Field(6, ge=1, le=20, description="Tries per request, the first included.")
    backoff_base_seconds: float = Field(
        1.0, gt=0, le=60, description="First retry wait; doubles per attempt."
    )
    backoff_max_seconds: float = Field(
        60.0, gt=0, le=600, description="Longest wait between tries (Retry-After included)."
    )
    enabled: bool = True

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {value!r}")
        return value

    def resolved_base_url(self) -> str:
        env_name = self.base_url_env or SOURCE_TYPES[self.type]["base_url_env"]
        return os.environ.get(env_name) or self.base_url or SOURCE_TYPES[self.type]["base_url"]

    def secret(self) -> str:
        value = os.environ.get(self.secret_env)
        if not value:
            raise ConfigError(
                f"source {self.id!r}: environment variable {self.secret_env} is not set. "
                f"Fix: export {self.secret_env}=<the {self.type} secret> before running."
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
        """Fail, naming every missing env var, if an enabled source has no secret set."""
        missing = [s for s in self.sources if s.enabled and not os.environ.get(s.secret_env)]
        if missing:
            where = self.path or "sources config"
            lines = [f"{where}: source {s.id!r} needs env var {s.secret_env}" for s in missing]
            raise ConfigError(
                "missing secrets:\n  " + "\n  ".join(lines) + "\nFix: export them before running."
            )


def sources_path() -> Path:
    return Path(os.environ.get("AIUW_SOURCES") or DEFAULT_SOURCES_PATH)


def load_sources(path: Path | None = None) -> SourcesConfig:
    path = path or sources_path()
    config = load_yaml_model(path, SourcesConfig, what="sources config")
    return config.model_copy(update={"path": path})
