"""The sources configuration, loaded once per process and validated before any run starts."""

from __future__ import annotations

from functools import lru_cache

from connectors.config import SourcesConfig, load_sources


@lru_cache(maxsize=1)
def sources_config() -> SourcesConfig:
    return load_sources()
