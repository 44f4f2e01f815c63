"""Errors raised by connectors and configuration loading. Messages never carry a secret."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base class for connector failures."""


class SourceRequestError(ConnectorError):
    """A request to a source failed for good (after retries, or with a status that is not retried)."""

    def __init__(self, source: str, method: str, url: str, status: int | None, detail: str) -> None:
        self.source, self.method, self.url, self.status, self.detail = (
            source,
            method,
            url,
            status,
            detail,
        )
        where = f"{method} {url}"
        status_text = f"HTTP {status}" if status is not None else "no response"
        super().__init__(f"{source}: {where} failed with {status_text}: {detail}")


class ConfigError(ConnectorError):
    """Configuration is invalid; the message names file, line, field and a fix."""
