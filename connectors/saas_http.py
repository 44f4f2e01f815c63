"""HTTP for the SaaS admin APIs (GitHub, Cursor, Microsoft Graph, ChatGPT Compliance): the shared
`HttpSource` retry policy, plus what those APIs need beyond a JSON GET: response headers (`Link`
paging), POST bodies, absolute URLs (next links, signed download links, sent without credentials),
and rate limits answered with 403 and `x-ratelimit-reset` instead of 429 and Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from tenacity import RetryCallState

from connectors.errors import SourceRequestError, request_failed
from connectors.http import (
    RETRYABLE_STATUS,
    HttpSource,
    MalformedBody,
    RetryableResponse,
    decoded,
    json_document,
    redact,
    tls_context,
)


def rate_limit_reset_seconds(response: httpx.Response) -> float | None:
    """Seconds until `x-ratelimit-reset` (unix seconds), when the response carries it."""
    value = response.headers.get("x-ratelimit-reset")
    if value is None:
        return None
    try:
        return max(0.0, float(value) - time.time())
    except ValueError:
        return None


def is_rate_limited(response: httpx.Response) -> bool:
    """GitHub's secondary rate limits answer 403 with retry-after or an exhausted primary quota."""
    if response.status_code in RETRYABLE_STATUS:
        return True
    if response.status_code != 403:
        return False
    headers = response.headers
    return "retry-after" in headers or headers.get("x-ratelimit-remaining") == "0"


def error_detail(response: httpx.Response) -> str:
    """The message of the common error shapes ({"message"}, {"error": {...}}, {"error", "error_description"})."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    if not isinstance(body, dict):
        return response.text[:500]
    error = body.get("error")
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    if isinstance(error, str):
        return f"{error}: {body.get('error_description') or body.get('message') or ''}".rstrip(": ")
    if body.get("message"):
        return str(body["message"])
    return response.text[:500]


class SaasHttpSource(HttpSource):
    """`HttpSource` with the request shapes the SaaS admin APIs use."""

    def __init__(self, *args: Any, transport: httpx.BaseTransport | None = None, **options: Any):
        super().__init__(*args, transport=transport, **options)
        # signed links carry their own authorization: a client without the default headers
        self._anonymous = httpx.Client(
            timeout=self._client.timeout, transport=transport, verify=tls_context()
        )

    def close(self) -> None:
        self._anonymous.close()
        super().close()

    def set_secret_header(self, name: str, value: str) -> None:
        """Send a header from now on (a fresh access token), redacted like the other secrets."""
        self._client.headers[name] = value
        self._secrets.append(value)
        self._secrets.append(value.partition(" ")[2])

    def _wait(self, state: RetryCallState) -> float:
        wait = super()._wait(state)
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableResponse) and "retry-after" not in error.response.headers:
            reset = rate_limit_reset_seconds(error.response)
            if reset is not None:
                wait = max(wait, min(reset, self.backoff_max))
        return wait

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        authenticated: bool = True,
    ) -> httpx.Response:
        """Send a request with retries; return the response, or raise naming the source.

        `path_or_url` is a path below the base URL or an absolute URL (next links). With
        `authenticated=False` no default header is sent (signed download links).
        """
        return self.exchange(
            method,
            path_or_url,
            params=params,
            json_body=json_body,
            form=form,
            authenticated=authenticated,
        )[0]

    def json(self, method: str, path_or_url: str, **options: Any) -> Any:
        """`request()` and decode JSON, numbers with a fraction kept exact as Decimal."""
        return self.exchange(method, path_or_url, decode=json_document, **options)[1]

    def exchange(
        self,
        method: str,
        path_or_url: str,
        *,
        decode: Callable[[bytes], Any] | None = None,
        secret_body: bool = False,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        authenticated: bool = True,
    ) -> tuple[httpx.Response, Any]:
        """`request()` that also returns the body as `decode` reads it (None without `decode`).

        A successful status whose body `decode` rejects (ValueError) is retried like a 5xx; when
        the attempts run out the error shows the body's first characters, unless `secret_body`
        (token responses).
        """
        absolute = path_or_url.startswith(("http://", "https://"))
        url = path_or_url if absolute else f"{self.base_url}/{path_or_url.lstrip('/')}"

        def once() -> tuple[httpx.Response, Any]:
            if authenticated:
                response = self._client.request(
                    method, url, params=params, json=json_body, data=form
                )
            else:
                response = self._anonymous.request(method, url, params=params)
            if is_rate_limited(response):
                raise RetryableResponse(response)
            if decode is None or response.status_code >= 400:
                return response, None
            return response, decoded(response, decode)

        shown = redact(url.split("?")[0] if not authenticated else url, self._secrets)
        try:
            response, body = self._retrying()(once)
        except MalformedBody as error:
            raise self.malformed_body_error(error, show_body=not secret_body) from None
        except RetryableResponse as error:
            raise self._failure(
                method, shown, error.response, f"still failing after {self.max_attempts} attempts"
            ) from None
        except httpx.TransportError as error:
            detail = f"{type(error).__name__}: {error} (after {self.max_attempts} attempts)"
            raise SourceRequestError(
                self.name, method, shown, None, redact(detail, self._secrets)
            ) from None
        if response.status_code >= 400:
            raise self._failure(method, shown, response, "not retried", final=True)
        return response, body

    def _failure(
        self, method: str, url: str, response: httpx.Response, note: str, *, final: bool = False
    ) -> SourceRequestError:
        """`final`: the status is not retried (a 403 or 404 then says the endpoint is not served;
        a rate-limited 403 that outlived its retries is not that)."""
        hint = ""
        if response.status_code in (401, 403):
            hint = "; check the credentials (the secret is not shown)"
        return (request_failed if final else SourceRequestError)(
            self.name,
            method,
            redact(url, self._secrets),
            response.status_code,
            redact(f"{error_detail(response)} ({note}{hint})", self._secrets),
        )
