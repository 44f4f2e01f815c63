"""Sandbox providers: each module here serves one source of the synthetic enterprise.

A module defines `build(enterprise, activity, clock, secrets) -> Provider`. The server discovers every
module in this package, routes requests by path prefix, and asks each provider for its ground truth
and its export files. To add a source, add a module; nothing else in the sandbox changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from sandbox.activity import Activity
from sandbox.enterprise import Enterprise


def write_export(path: Path, data: bytes) -> None:
    """`data` written to `path` unless the file holds it already: a real export leaves past days'
    files as they were, and file sources do not open again a file they read unchanged."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    path.write_bytes(data)


@dataclass
class Response:
    status: int
    body: Any  # JSON-serializable, or bytes/str sent as is
    headers: dict[str, str]

    @classmethod
    def json(cls, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return cls(status, body, headers or {})


class Provider(Protocol):
    """What the server needs from a provider module."""

    name: str
    # URL path prefixes this provider answers (empty for file-only sources)
    prefixes: tuple[str, ...]

    def handle(self, path: str, query: Any, headers: Mapping[str, str]) -> Response:
        """Answer a GET below one of `prefixes` (auth included)."""

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        """Canonical totals served for days in [start, end): see sandbox.ground_truth.empty_totals()."""

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        """Write export files for file sources under root; return env vars pointing sources at them."""

    def environment(self, base_url: str) -> dict[str, str]:
        """Env vars that point this provider's API sources at the sandbox."""

    def declared_credentials(self) -> list[dict]:
        """Credentials governance declares: {application_id, provider, kind (project|api_key), id}."""

    corruptions: frozenset[str] = frozenset()  # named faults corrupt(day, faults) can plant

    def corrupt(self, day: date) -> None:
        """Make that day's payloads break their own invariants (for quality-gate tests)."""

    def reset(self) -> None:
        """Undo corrupt()."""


Builder = Callable[[Enterprise, Activity, Callable[[], datetime], Mapping[str, str]], Provider]


def discover() -> list[Builder]:
    builders = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        if hasattr(loaded, "build"):
            builders.append(loaded.build)
    return builders
