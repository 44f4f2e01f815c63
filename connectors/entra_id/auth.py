"""The OAuth 2.0 client-credentials token for Microsoft Graph, cached until shortly before it expires."""

from __future__ import annotations

import time
from typing import Any

import httpx

from connectors.errors import SourceRequestError
from connectors.http import (
    RETRYABLE_STATUS,
    json_document,
    redact,
    retry_after_seconds,
    sandbox_key_guard,
    tls_context,
)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
EXPIRY_MARGIN_SECONDS = 120


class ClientCredentials:
    """Gets app-only tokens from `POST {authority}/{tenant}/oauth2/v2.0/token`.

    Errors name the source and carry the identity platform's `error` and `error_description`, never
    the client secret or a token.
    """

    def __init__(
        self,
        source_id: str,
        authority_url: str,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 30.0,
        max_attempts: int = 6,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        for name, value in (("tenant id", tenant_id), ("client id", client_id)):
            if not value:
                raise ValueError(f"{source_id}: the Entra ID {name} is empty")
        if not client_secret:
            raise ValueError(f"{source_id}: the Entra ID client secret is empty")
        self.source_id = source_id
        self.url = f"{authority_url.rstrip('/')}/{tenant_id}/oauth2/v2.0/token"
        self._form = {
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": GRAPH_SCOPE,
            "grant_type": "client_credentials",
        }
        self._secrets = [client_secret]
        self.max_attempts, self.backoff_base, self.backoff_max = (
            max_attempts,
            backoff_base,
            backoff_max,
        )
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            transport=transport,
            verify=tls_context(),
            event_hooks=sandbox_key_guard(source_id, self._secrets),
        )
        self._token: str | None = None
        self._expires_at = 0.0
        self.tokens_fetched = 0

    @property
    def secrets(self) -> list[str]:
        return [*self._secrets, *([self._token] if self._token else [])]

    def close(self) -> None:
        self._client.close()

    def invalidate(self) -> None:
        self._token, self._expires_at = None, 0.0

    def token(self) -> str:
        """A valid access token: the cached one until shortly before expiry, else a new one."""
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        body = self._request()
        token = body.get("access_token")
        if not token:
            raise SourceRequestError(
                self.source_id, "POST", self.url, 200, "token response has no access_token"
            )
        lifetime = float(body.get("expires_in") or 0)
        self._token = token
        self._expires_at = time.monotonic() + max(0.0, lifetime - EXPIRY_MARGIN_SECONDS)
        self.tokens_fetched += 1
        return token

    def _request(self) -> dict[str, Any]:
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self._client.post(self.url, data=self._form)
            except httpx.TransportError as error:
                if attempt == self.max_attempts:
                    raise SourceRequestError(
                        self.source_id,
                        "POST",
                        self.url,
                        None,
                        redact(f"{type(error).__name__}: {error}", self._secrets),
                    ) from None
                time.sleep(min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))
                continue
            if response.status_code in RETRYABLE_STATUS and attempt < self.max_attempts:
                hinted = retry_after_seconds(response) or 0.0
                wait = max(hinted, self.backoff_base * 2 ** (attempt - 1))
                time.sleep(min(self.backoff_max, wait))
                continue
            if response.status_code >= 400:
                raise SourceRequestError(
                    self.source_id,
                    "POST",
                    self.url,
                    response.status_code,
                    redact(self._describe(response), self._secrets),
                )
            try:
                return json_document(response.content)
            except ValueError as error:
                # a cut-short or HTML reply is retried like a 5xx; its body may hold part of a token
                if attempt == self.max_attempts:
                    raise SourceRequestError(
                        self.source_id,
                        "POST",
                        self.url,
                        response.status_code,
                        f"response is not JSON after {attempt} attempts ({error}); "
                        "body not shown: it may carry a token",
                    ) from None
                time.sleep(min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _describe(response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return response.text[:300]
        if isinstance(body, dict) and body.get("error"):
            description = str(body.get("error_description") or "").split("\n")[0]
            return f"token request refused: {body['error']}: {description}"[:500]
        return response.text[:300]
