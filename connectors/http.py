"""One HTTP client for every connector: timeouts, retries with backoff that honours Retry-After,
exact JSON decimals, error messages that never carry a secret, and no sandbox key sent past
loopback (connectors/sandbox_keys.py).

A 2xx whose body does not decode (a page cut short by a proxy, an HTML error page, nothing) is
retried like a 5xx: the same page usually arrives whole on the next attempt."""

from __future__ import annotations

import functools
import json
import logging
import random
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from connectors.errors import SourceRequestError, request_failed
from connectors.sandbox_keys import refuse_outside_loopback

log = logging.getLogger("connectors.http")

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
BODY_PREVIEW_CHARS = 200


class RetryableResponse(Exception):
    """A response worth trying again (rate limit or server error)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class MalformedBody(Exception):
    """A successful status whose body does not decode; worth trying again like a 5xx."""

    def __init__(self, response: httpx.Response, reason: str) -> None:
        super().__init__(f"HTTP {response.status_code} with a body that does not decode")
        self.response, self.reason = response, reason


def is_retryable(error: BaseException) -> bool:
    return isinstance(error, RetryableResponse | MalformedBody | httpx.TransportError)


def json_document(content: bytes | str) -> Any:
    """A JSON document, numbers with a fraction kept exact as Decimal."""
    return json.loads(content, parse_float=Decimal)


def decoded(response: httpx.Response, decode: Callable[[bytes], Any]) -> Any:
    """`decode(response.content)`; a body it rejects raises MalformedBody (so it is retried)."""
    try:
        return decode(response.content)
    except ValueError as error:
        raise MalformedBody(response, str(error)) from None


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[REDACTED]")
    return text


def sandbox_key_guard(source_id: str, secrets: list[str]) -> dict[str, list[Callable]]:
    """httpx event hooks that refuse a request, before it connects, to a host outside loopback
    while `secrets` (read at each request, so secrets added later count) holds a sandbox key."""

    def check(request: httpx.Request) -> None:
        refuse_outside_loopback(source_id, request.url.host, secrets)

    return {"request": [check]}


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default verification (certifi's bundle, or SSL_CERT_FILE), built once per process:
    building it reads the CA bundle again, about 20 ms a client and several clients a step."""
    return httpx.create_ssl_context()


class HttpSource:
    """A JSON-over-HTTP source with a base URL, auth headers and a retry policy.

    Args:
        name: the source instance id, used in log lines and errors.
        base_url: scheme, host and path prefix, e.g. ``https://api.openai.com/v1``.
        headers: headers sent with every request (auth included); their values are treated as secrets.
        timeout: seconds for connect and read.
        max_attempts: tries per request, the first one included.
        backoff_base: first backoff in seconds; doubles per attempt, with jitter, capped at backoff_max.
    """

    def __init__(
        self,
        name: str,
        base_url: str,
        headers: Mapping[str, str],
        *,
        secrets: Iterable[str] = (),
        timeout: float = 30.0,
        max_attempts: int = 6,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._secrets = [s for s in secrets if s]
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=dict(headers),
            timeout=httpx.Timeout(timeout),
            transport=transport,
            verify=tls_context(),
            event_hooks=sandbox_key_guard(name, self._secrets),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(self, state: RetryCallState) -> float:
        exponential = min(self.backoff_max, self.backoff_base * 2 ** (state.attempt_number - 1))
        wait = exponential * random.uniform(0.5, 1.0)
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableResponse):
            hinted = retry_after_seconds(error.response)
            if hinted is not None:
                wait = max(wait, min(hinted, self.backoff_max))
        return wait

    def _before_sleep(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        reason = (
            str(error)
            if isinstance(error, RetryableResponse | MalformedBody)
            else type(error).__name__
        )
        log.warning(
            "%s: %s on attempt %d/%d, retrying in %.1fs",
            self.name,
            reason,
            state.attempt_number,
            self.max_attempts,
            state.next_action.sleep if state.next_action else 0,
        )

    def get_json(
        self, path: str, params: Mapping[str, Any] | list[tuple[str, Any]] | None = None
    ) -> Any:
        """GET a path below the base URL and decode JSON, with floats kept exact as Decimal."""
        request_url = f"{self.base_url}/{path.lstrip('/')}"
        try:
            response, body = self._retrying()(self._get_once, path, params)
        except MalformedBody as error:
            raise self.malformed_body_error(error) from None
        except RetryableResponse as error:
            raise self._error(
                request_url, error.response, f"still failing after {self.max_attempts} attempts"
            ) from None
        except httpx.TransportError as error:
            raise SourceRequestError(
                self.name,
                "GET",
                request_url,
                None,
                redact(
                    f"{type(error).__name__}: {error} (after {self.max_attempts} attempts)",
                    self._secrets,
                ),
            ) from None
        if response.status_code >= 400:
            raise self._error(request_url, response, "not retried")
        return body

    def _retrying(self) -> Retrying:
        return Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(is_retryable),
            before_sleep=self._before_sleep,
            reraise=True,
            sleep=time.sleep,
        )

    def _get_once(self, path: str, params: Any) -> tuple[httpx.Response, Any]:
        response = self._client.get(path.lstrip("/"), params=params)
        if response.status_code in RETRYABLE_STATUS:
            raise RetryableResponse(response)
        if response.status_code >= 400:
            return response, None
        return response, decoded(response, json_document)

    def malformed_body_error(
        self, error: MalformedBody, *, show_body: bool = True
    ) -> SourceRequestError:
        """The error for a body that never decoded: source, URL without its query, status, and
        the body's first characters (secrets redacted; `show_body=False` for token responses)."""
        response = error.response
        if show_body:
            # redact before cutting, so a secret straddling the cut is not half shown
            start = redact(response.text, self._secrets)[:BODY_PREVIEW_CHARS]
            preview = f"body starts {start!r}" if start else "body is empty"
        else:
            preview = "body not shown: it may carry a token"
        detail = (
            f"response is not JSON after {self.max_attempts} attempts ({error.reason}); {preview}"
        )
        return SourceRequestError(
            self.name,
            response.request.method,
            redact(str(response.request.url.copy_with(query=None)), self._secrets),
            response.status_code,
            redact(detail, self._secrets),
        )

    def _error(self, url: str, response: httpx.Response, note: str) -> SourceRequestError:
        detail = redact(response.text, self._secrets)[:500]  # redact before the cut
        try:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                detail = str(body["error"].get("message", detail))
        except ValueError:
            pass
        # 403 and 404 are never retried: the account does not serve the endpoint (EndpointNotServed)
        return request_failed(
            self.name,
            response.request.method,
            redact(str(response.request.url), self._secrets),
            response.status_code,
            redact(f"{detail} ({note})", self._secrets),
        )
