"""Which entities each source pulls (`entities` / `exclude_entities` in the sources config), checked
against the entities its type has: those are defined by the ingest packages
(orchestration/defs/ingest/<type>/assets.py), which the connectors' config cannot import."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from connectors.config import SOURCE_TYPES, SourceConfig, SourcesConfig
from connectors.errors import ConfigError, EndpointNotServed
from connectors.yaml_validation import located


def known_entities() -> dict[str, list[str]]:
    """Entity names per source type, from each type's ingest package."""
    return {
        source_type: [
            entity.name
            for entity in importlib.import_module(
                f"orchestration.defs.ingest.{source_type}.assets"
            ).ENTITIES
        ]
        for source_type in SOURCE_TYPES
    }


def skip_reason(source: SourceConfig) -> str:
    """Why a source does not pull an entity it was asked about (it does not pull it)."""
    if source.entities is not None:
        return f"not in its entities ({', '.join(source.entities)})"
    return "listed in its exclude_entities"


def _where(config: SourcesConfig, loc: tuple[int | str, ...]) -> str:
    if config.path is None:
        return "sources config: " + ".".join(str(part) for part in loc)
    return located(config.path, loc)


def selection_problems(config: SourcesConfig, known: Mapping[str, Sequence[str]]) -> list[str]:
    """Each unknown entity name, and each source left with no entity, of the types in `known`."""
    problems = []
    for index, source in enumerate(config.sources):
        valid = known.get(source.type)
        if valid is None:
            continue
        for field in ("entities", "exclude_entities"):
            for position, name in enumerate(getattr(source, field) or []):
                if name not in valid:
                    problems.append(
                        f"{_where(config, ('sources', index, field, position))}: source "
                        f"{source.id!r} ({source.type}) has no entity {name!r}; {source.type} "
                        f"entities: {', '.join(valid)}. Fix: use one of those names or remove it."
                    )
        if source.entities is None and not any(source.pulls(name) for name in valid):
            problems.append(
                f"{_where(config, ('sources', index, 'exclude_entities'))}: source {source.id!r} "
                f"excludes every {source.type} entity. Fix: set `enabled: false` to stop pulling it."
            )
    return problems


def check_entity_selection(
    config: SourcesConfig, known: Mapping[str, Sequence[str]] | None = None
) -> None:
    """Raise ConfigError naming file, line, field, the unknown name, the valid names and the fix."""
    problems = selection_problems(config, known if known is not None else known_entities())
    if problems:
        raise ConfigError(
            f"invalid sources config ({len(problems)} problem(s)):\n  " + "\n  ".join(problems)
        )


def not_served_line(
    source: SourceConfig, entity: str, error: EndpointNotServed, sources_file: Path | None
) -> str:
    """Why an entity failed for a source whose account does not serve its endpoint, and the two
    ways out; the caller prefixes the source type, entity and source id."""
    where = sources_file or "the sources config"
    if source.entities is not None:
        stop = f"remove {entity} from `entities` of source {source.id} in {where}"
    else:
        stop = f"add `exclude_entities: [{entity}]` to source {source.id} in {where}"
    grant = source.source_type.permission or "access to this endpoint"
    return (
        f"HTTP {error.status} from {error.path}: the account does not serve "
        f"this endpoint: {stop}, or grant the key {grant}"
    )
