"""Errors raised by connectors and configuration loading. Messages never carry a secret."""

from __future__ import annotations

from urllib.parse import urlsplit


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


NOT_SERVED_STATUS = frozenset({403, 404})


class EndpointNotServed(SourceRequestError):
    """The source answered 403 or 404: the account does not serve this endpoint to this key, and
    asking again cannot change that. `url` has no query."""

    def __init__(self, source: str, method: str, url: str, status: int, detail: str) -> None:
        super().__init__(source, method, urlsplit(url)._replace(query="").geturl(), status, detail)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


def request_failed(
    source: str, method: str, url: str, status: int | None, detail: str
) -> SourceRequestError:
    """The error for a request that failed for good: EndpointNotServed for 403 and 404."""
    if status in NOT_SERVED_STATUS:
        return EndpointNotServed(source, method, url, status, detail)
    return SourceRequestError(source, method, url, status, detail)
